;;;; The classic usocket server that handles each client in its own bt:make-thread thread.
;;;; Three clients are connected at once (all from the main thread, so what is printed is
;;;; always the same); each client's handler answers it in turn.
(require :usocket)
(require :bordeaux-threads)

(defun handle-client (connection)
  (unwind-protect
       (let ((stream (usocket:socket-stream connection)))
         (loop for line = (read-line stream nil)
               while line
               do (format stream "~a (from ~a)~%" (string-upcase line)
                          (usocket:get-peer-address connection))
                  (force-output stream)))
    (usocket:socket-close connection)))

(defun serve (listener clients)
  (dotimes (i clients)
    (let ((connection (usocket:socket-accept listener)))
      (bt:make-thread (lambda () (handle-client connection)) :name "client handler"))))

(let* ((listener (usocket:socket-listen "127.0.0.1" 0 :reuse-address t))
       (port (usocket:get-local-port listener))
       (server (bt:make-thread (lambda () (serve listener 3)) :name "acceptor"))
       (clients (loop repeat 3 collect (usocket:socket-connect "127.0.0.1" port))))
  (dolist (round '("one" "two"))
    (loop for client in clients
          for n from 1
          do (let ((stream (usocket:socket-stream client)))
               (format stream "client ~a says ~a~%" n round)
               (force-output stream)
               (format t "~a~%" (read-line stream)))))
  (mapc #'usocket:socket-close clients)
  (bt:join-thread server)
  (usocket:socket-close listener)
  (format t "all served~%"))
