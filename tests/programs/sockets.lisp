;;;; usocket beyond the echo servers: the conditions, wait-for-input, peer and local
;;;; addresses, characters and bytes on socket streams, and the WITH- macros closing what
;;;; they opened. tests/programs.rs runs this under swankd and under SBCL with usocket.
(require :usocket)

(defmacro show (label form)
  `(format t "~a: ~s~%" ,label (handler-case ,form
                                 (usocket:socket-error (condition)
                                   (type-of condition)))))

(defun accept-pair (listener &rest connect-arguments)
  "A client connected to LISTENER and the server's end of the same connection."
  (let ((client (apply #'usocket:socket-connect "127.0.0.1"
                       (usocket:get-local-port listener) connect-arguments)))
    (values client (apply #'usocket:socket-accept listener
                          (member :element-type connect-arguments)))))

(usocket:with-socket-listener (listener "127.0.0.1" 0 :reuse-address t)
  (let ((port (usocket:get-local-port listener)))
    (show "a port" (plusp port))
    (show "listening twice" (usocket:socket-listen "127.0.0.1" port))
    (show "server socket" (typep listener 'usocket:stream-server-usocket))

    (multiple-value-bind (client server) (accept-pair listener)
      (let ((out (usocket:socket-stream client))
            (in (usocket:socket-stream server)))
        (show "client socket" (typep client 'usocket:stream-usocket))
        (show "peer address" (usocket:get-peer-address server))
        (show "same port both ends" (= (usocket:get-peer-port server)
                                       (usocket:get-local-port client)))
        (show "client's peer port" (= (usocket:get-peer-port client) port))
        (show "nothing to read yet"
              (usocket:wait-for-input server :timeout 0.2 :ready-only t))
        (show "state" (usocket:socket-state server))
        (format out "ab~%c")
        (write-string "déjà vu" out)
        (write-char #\! out)
        (terpri out)
        (finish-output out)
        (show "ready" (equal (usocket:wait-for-input server :timeout 5 :ready-only t)
                             (list server)))
        (show "time left when ready"
              (let ((left (nth-value 1 (usocket:wait-for-input server :timeout 5))))
                (and (realp left) (< 0 left 5.0001))))
        (show "state" (usocket:socket-state server))
        (show "read-char" (read-char in))
        (show "peek-char" (peek-char nil in))
        (show "read-char" (read-char in))
        (show "read-char" (read-char in))
        (show "read-line" (read-line in))
        (show "listen" (listen in))
        (let ((buffer (make-string 3 :initial-element #\-)))
          (write-string "xy" out)
          (finish-output out)
          (usocket:socket-close client)
          (show "read-sequence" (read-sequence buffer in))
          (show "buffer" buffer))
        (show "at the end" (read-line in nil :eof))
        (show "read-char at the end" (read-char in nil :eof))
        (usocket:socket-close server)))

    (multiple-value-bind (client server)
        (accept-pair listener :element-type '(unsigned-byte 8))
      (let ((out (usocket:socket-stream client))
            (in (usocket:socket-stream server))
            (bytes (make-array 4 :element-type '(unsigned-byte 8))))
        (write-sequence #(1 2 255 0) out)
        (write-byte 7 out)
        (force-output out)
        (show "read-sequence" (read-sequence bytes in))
        (show "bytes" bytes)
        (show "read-byte" (read-byte in))
        (usocket:socket-close client)
        (show "read-byte at the end" (read-byte in nil :eof))
        (usocket:socket-close server)))

    (let ((server nil))
      (show "error in the body"
            (handler-case
                (usocket:with-client-socket (client stream "127.0.0.1" port)
                  (setf server (usocket:socket-accept listener))
                  (write-line "before the error" stream)
                  (error "boom"))
              (usocket:unknown-error () :mapped)))
      (let ((in (usocket:socket-stream server)))
        (show "sent before closing" (read-line in))
        (show "then closed" (read-line in nil :eof)))
      (usocket:socket-close server))))

(let ((port (usocket:with-socket-listener (listener "127.0.0.1" 0)
              (usocket:get-local-port listener))))
  (show "connecting to a closed port" (usocket:socket-connect "127.0.0.1" port)))
