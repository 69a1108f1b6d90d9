;;;; A service to change while it serves: a TCP echo server that handles each client in
;;;; its own thread, as written for SBCL with usocket.
;;;;
;;;;   swankd --no-tcp examples/echo-server.lisp
;;;;
;;;; then connect clients (`nc 127.0.0.1 7007`, as many as you like) and type lines. Connect
;;;; Emacs with M-x slime-connect RET 127.0.0.1 RET 4006 RET and evaluate (C-M-x):
;;;;
;;;;   (defun reply (line)
;;;;     (format nil "~a!" (string-upcase line)))
;;;;
;;;; The next line each client sends gets the new reply; no client is disconnected.

(require :swank)
(require :usocket)
(require :bordeaux-threads)

(defun reply (line)
  (format nil "echo: ~a" line))

(defun handle-client (connection)
  (unwind-protect
       (let ((stream (usocket:socket-stream connection)))
         (loop for line = (read-line stream nil)
               while line
               do (write-line (reply line) stream)
                  (force-output stream)))
    (usocket:socket-close connection)))

(defun serve (port)
  (usocket:with-socket-listener (listener "127.0.0.1" port :reuse-address t)
    (format t "echo server listening on port ~a~%" (usocket:get-local-port listener))
    (finish-output)
    (loop
      (let ((connection (usocket:socket-accept listener)))
        (bt:make-thread (lambda () (handle-client connection))
                        :name "echo client")))))

(bt:make-thread (lambda () (swank:create-server :port 4006 :dont-close t)))
(serve 7007)
