;;;; The usocket subset (package USOCKET), over the socket builtins in sockets.rs. Waiting
;;;; (accept, connect, wait-for-input, and reads and writes on socket streams) parks the
;;;; thread; every wait checks again what it waited for once woken.

(defvar *wildcard-host* #(0 0 0 0)
  "The host for SOCKET-LISTEN meaning every address of this machine.")

(defvar *auto-port* 0
  "The port for SOCKET-LISTEN meaning any free port.")

(defun swankd::%await-stream (stream readiness function arguments)
  "What a builtin that found a socket stream not ready is replaced by: waits until STREAM
may be ready, then calls the builtin again."
  (swankd::%wait-for-streams (list stream) readiness nil)
  (apply function arguments))

(define-condition socket-condition (condition)
  ((socket :initarg :socket :initform nil :reader usocket-socket)))

(define-condition socket-error (socket-condition error)
  ((message :initarg :message :initform "socket error"))
  (:report (lambda (condition stream)
             (format stream "~A" (swankd::%condition-slot condition 'message)))))

(define-condition address-in-use-error (socket-error) ())
(define-condition connection-refused-error (socket-error) ())
(define-condition timeout-error (socket-error) ())
(define-condition host-unreachable-error (socket-error) ())
(define-condition ns-host-not-found-error (socket-error) ())
(define-condition unknown-error (socket-error) ())

(defun %socket-error (kind message)
  "Signals the usocket condition for a failure the socket builtins report."
  (error (case kind
           (:address-in-use 'address-in-use-error)
           (:connection-refused 'connection-refused-error)
           (:timeout 'timeout-error)
           (:host-not-found 'ns-host-not-found-error)
           (t 'unknown-error))
         :message message))

(defstruct (usocket (:conc-name %usocket-) (:constructor nil) (:copier nil))
  handle state element-type)

(defstruct (stream-usocket (:include usocket) (:copier nil)
                           (:constructor %make-stream-usocket (handle element-type))))

(defstruct (stream-server-usocket (:include usocket) (:copier nil)
                                  (:constructor %make-server-usocket (handle element-type))))

(defun socket (usocket)
  "The underlying socket object."
  (%usocket-handle usocket))

(defun socket-stream (usocket)
  "The stream to read from and write to a connected socket."
  (if (stream-usocket-p usocket)
      (%usocket-handle usocket)
      (error "~S has no stream: it is not a connected socket" usocket)))

(defun socket-state (usocket)
  "After WAIT-FOR-INPUT: :READ when the socket has input (or a client to accept), else NIL."
  (%usocket-state usocket))

(defun %host-string (host)
  (cond ((null host) "*")
        ((stringp host) host)
        ((symbolp host) (string-downcase (symbol-name host)))
        ((and (vectorp host) (= (length host) 4))
         (format nil "~D.~D.~D.~D" (aref host 0) (aref host 1) (aref host 2) (aref host 3)))
        ((and (vectorp host) (= (length host) 16))
         (format nil "~{~(~X~)~^:~}"
                 (loop for i from 0 below 16 by 2
                       collect (+ (* 256 (aref host i)) (aref host (1+ i))))))
        (t (error "~S is not a host name or address" host))))

(defun socket-listen (host port &key reuse-address (reuseaddress reuse-address)
                                  (backlog 5) (element-type 'character))
  "A server socket listening on HOST (an address, \"localhost\", or *WILDCARD-HOST*) and
PORT (0: any free port). A non-loopback HOST needs swankd's --allow-remote."
  (%make-server-usocket
   (swankd::%socket-listen (%host-string host) port backlog reuseaddress)
   element-type))

(defun socket-accept (socket &key element-type)
  "Waits for a client of the server SOCKET and returns its connected socket."
  (let ((listener (%usocket-handle socket)))
    (loop
      (let ((stream (swankd::%socket-accept listener)))
        (when stream
          (return (%make-stream-usocket
                   stream (or element-type (%usocket-element-type socket))))))
      (swankd::%wait-for-streams (list listener) :accept nil))))

(defun socket-connect (host port &key (protocol :stream) (element-type 'character)
                                   timeout deadline (nodelay t) local-host local-port)
  "Connects to HOST and PORT (waiting at most TIMEOUT seconds) and returns the socket."
  (unless (eq protocol :stream)
    (error "usocket under swankd supports only :PROTOCOL :STREAM (TCP)"))
  (when (or deadline local-host local-port)
    (error "SOCKET-CONNECT: :DEADLINE, :LOCAL-HOST and :LOCAL-PORT are not supported by swankd"))
  (let ((stream (swankd::%socket-connect (%host-string host) port timeout
                                         (and nodelay (not (eq nodelay :if-supported)) t))))
    (loop until (swankd::%socket-connected-p stream)
          do (swankd::%wait-for-streams (list stream) :connected nil))
    (%make-stream-usocket stream element-type)))

(defun socket-close (usocket)
  "Closes the socket (a connected one sends what was written first)."
  (swankd::%socket-close (%usocket-handle usocket))
  t)

(defun socket-shutdown (usocket direction)
  "Closes the socket; swankd has no half-close."
  (declare (ignore direction))
  (socket-close usocket))

(defun get-local-address (usocket)
  (values (swankd::%socket-address (%usocket-handle usocket) nil)))

(defun get-local-port (usocket)
  (nth-value 1 (swankd::%socket-address (%usocket-handle usocket) nil)))

(defun get-local-name (usocket)
  (swankd::%socket-address (%usocket-handle usocket) nil))

(defun get-peer-address (usocket)
  (values (swankd::%socket-address (%usocket-handle usocket) t)))

(defun get-peer-port (usocket)
  (nth-value 1 (swankd::%socket-address (%usocket-handle usocket) t)))

(defun get-peer-name (usocket)
  (swankd::%socket-address (%usocket-handle usocket) t))

(defun %update-state (socket)
  (let* ((handle (%usocket-handle socket))
         (ready (if (stream-server-usocket-p socket)
                    (swankd::%socket-ready-p handle :accept)
                    (swankd::%socket-ready-p handle :input))))
    (setf (%usocket-state socket) (and ready :read))))

(defun wait-for-input (socket-or-sockets &key timeout ready-only)
  "Waits until one of the sockets has input (or, for a server socket, a client), or TIMEOUT
seconds pass. Each socket's SOCKET-STATE says whether it is ready. Returns the sockets
(with READY-ONLY, a list of the ready ones) and, with a TIMEOUT, the seconds left of it
(NIL once it has passed)."
  (let ((sockets (if (listp socket-or-sockets) socket-or-sockets (list socket-or-sockets)))
        (start (get-internal-real-time)))
    (flet ((left ()
             (when timeout
               (let ((elapsed (/ (- (get-internal-real-time) start)
                                 internal-time-units-per-second)))
                 (when (< elapsed timeout) (- timeout elapsed))))))
      (loop
        (let ((ready 0))
          (dolist (socket sockets)
            (when (%update-state socket) (incf ready)))
          (when (plusp ready) (return))
          (let ((left (left)))
            (when (and timeout (null left)) (return))
            (unless (swankd::%wait-for-streams (mapcar #'%usocket-handle sockets) :input left)
              (return)))))
      (values (cond ((not ready-only) socket-or-sockets)
                    ((listp socket-or-sockets) (remove-if-not #'socket-state socket-or-sockets))
                    ((socket-state socket-or-sockets) (list socket-or-sockets))
                    (t nil))
              (left)))))

(defmacro with-mapped-conditions ((&optional socket) &body body)
  "As usocket does: an error in BODY that is not a usocket condition is signalled again
as an UNKNOWN-ERROR (from inside the first, whose frames stay on the stack)."
  `(handler-bind ((error (lambda (condition)
                           (unless (typep condition 'socket-condition)
                             (error 'unknown-error
                                    :socket ,socket
                                    :message (format nil "unknown error: ~A" condition))))))
     ,@body))

(defmacro with-connected-socket ((var socket) &body body)
  "Binds VAR to SOCKET for BODY (whose errors are mapped as WITH-MAPPED-CONDITIONS does)
and closes it however BODY exits."
  `(let ((,var ,socket))
     (unwind-protect (when ,var (with-mapped-conditions (,var) ,@body))
       (when ,var (socket-close ,var)))))

(defmacro with-server-socket ((var server-socket) &body body)
  "WITH-CONNECTED-SOCKET for a server socket."
  `(with-connected-socket (,var ,server-socket) ,@body))

(defmacro with-client-socket ((socket-var stream-var &rest socket-connect-args) &body body)
  "Connects with SOCKET-CONNECT-ARGS, binds SOCKET-VAR and STREAM-VAR (unless NIL) for BODY,
and closes the socket however BODY exits."
  `(with-connected-socket (,socket-var (socket-connect ,@socket-connect-args))
     (let (,@(and stream-var `((,stream-var (socket-stream ,socket-var)))))
       ,@body)))

(defmacro with-socket-listener ((socket-var &rest socket-listen-args) &body body)
  "Listens with SOCKET-LISTEN-ARGS for BODY and closes the server socket afterwards."
  `(with-server-socket (,socket-var (socket-listen ,@socket-listen-args)) ,@body))

(defvar *server* nil
  "The server socket of the last SOCKET-SERVER run in the calling thread.")

(defvar *remote-host* nil
  "In a SOCKET-SERVER handler: the client's address.")

(defvar *remote-port* nil
  "In a SOCKET-SERVER handler: the client's port.")

(defun default-tcp-handler (stream)
  (format stream "Hello world!~%"))

(defun echo-tcp-handler (stream)
  (loop
    (when (listen stream)
      (let ((line (read-line stream nil)))
        (write-line line stream)
        (force-output stream)))))

(defun tcp-event-loop (socket function &optional arguments &key element-type multi-threading)
  "Accepts clients of SOCKET for ever, calling FUNCTION with each client's stream and
ARGUMENTS (in a thread per client with MULTI-THREADING), then closing the client."
  (flet ((serve (client)
           (unwind-protect
                (multiple-value-bind (*remote-host* *remote-port*) (get-peer-name client)
                  (apply function (socket-stream client) arguments))
             (socket-close client))))
    (unwind-protect
         (loop
           (let ((client (if element-type
                             (socket-accept socket :element-type element-type)
                             (socket-accept socket))))
             (if multi-threading
                 (bt:make-thread (lambda () (serve client)) :name "USOCKET Client")
                 (serve client))))
      (socket-close socket))))

(defun socket-server (host port function &optional arguments
                      &key in-new-thread (protocol :stream) timeout max-buffer-size
                        element-type (reuse-address t) multi-threading name)
  "usocket's server loop (TCP only): listens on HOST and PORT and calls FUNCTION with each
client's stream and ARGUMENTS. With IN-NEW-THREAD, runs in a new thread and returns it and
the server socket."
  (declare (ignore timeout max-buffer-size))
  (unless (eq protocol :stream)
    (error "usocket under swankd supports only :PROTOCOL :STREAM (TCP)"))
  (let ((socket (if element-type
                    (socket-listen (or host *wildcard-host*) port
                                   :reuse-address reuse-address :element-type element-type)
                    (socket-listen (or host *wildcard-host*) port
                                   :reuse-address reuse-address))))
    (flet ((run ()
             (tcp-event-loop socket function arguments
                             :element-type element-type :multi-threading multi-threading)))
      (if in-new-thread
          (values (bt:make-thread #'run :name (or name "USOCKET Server")) socket)
          (progn (setq *server* socket)
                 (run))))))
