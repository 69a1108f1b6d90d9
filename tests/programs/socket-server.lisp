;;;; usocket:socket-server, usocket's own server loop, with a thread per client. The
;;;; handler gets each client's stream and the extra arguments, and sees the client's
;;;; address in usocket:*remote-host*.
(require :usocket)
(require :bordeaux-threads)
(require :usocket-server)

(defun greet (stream greeting)
  (format stream "~a, client at ~a~%" greeting usocket:*remote-host*)
  (force-output stream))

(multiple-value-bind (server listener)
    (usocket:socket-server "127.0.0.1" 0 #'greet '("hello")
                           :in-new-thread t :multi-threading t)
  (let ((port (usocket:get-local-port listener)))
    (dotimes (i 3)
      (usocket:with-client-socket (socket stream "127.0.0.1" port)
        (format t "~a: ~a~%" i (read-line stream))
        (format t "then: ~s~%" (read-line stream nil :closed)))))
  (bt:destroy-thread server)
  (format t "server stopped~%"))
