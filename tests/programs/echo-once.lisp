;;;; The classic usocket echo server: it answers one client, then closes. The client is a
;;;; second thread of the same program, so what is printed is always the same.
;;;; tests/programs.rs runs this under swankd and under SBCL with usocket.
(require :usocket)
(require :bordeaux-threads)

(defun echo-once (listener)
  (let ((connection (usocket:socket-accept listener)))
    (unwind-protect
         (let ((stream (usocket:socket-stream connection)))
           (loop for line = (read-line stream nil)
                 while line
                 do (format stream "echo: ~a~%" line)
                    (force-output stream)))
      (usocket:socket-close connection))))

(defun ask (port lines)
  (usocket:with-client-socket (socket stream "127.0.0.1" port)
    (dolist (line lines)
      (write-line line stream)
      (force-output stream)
      (format t "~a~%" (read-line stream)))))

(let* ((listener (usocket:socket-listen "127.0.0.1" 0 :reuse-address t))
       (port (usocket:get-local-port listener))
       (server (bt:make-thread (lambda () (echo-once listener)) :name "echo server")))
  (ask port '("hello" "wörld, ça va?" "" "last"))
  (bt:join-thread server)
  (usocket:socket-close listener)
  (format t "server done~%"))
