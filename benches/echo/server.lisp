;;;; The echo server both Lisps run for benches/echo: each client in its own thread, one
;;;; reply line per line, written for usocket and bordeaux-threads.
(require :usocket)
(require :bordeaux-threads)

(defun handle-client (connection)
  (unwind-protect
       (let ((stream (usocket:socket-stream connection)))
         (loop for line = (read-line stream nil)
               while line
               do (write-line line stream)
                  (force-output stream)))
    (usocket:socket-close connection)))

(let ((listener (usocket:socket-listen "127.0.0.1" 0 :reuse-address t :backlog 128)))
  (format t "port ~a~%" (usocket:get-local-port listener))
  (finish-output)
  (loop
    (let ((connection (usocket:socket-accept listener)))
      (bt:make-thread (lambda () (handle-client connection)) :name "echo client"))))
