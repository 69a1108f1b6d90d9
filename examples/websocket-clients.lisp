;;;; The WebSocket echo service with a mode per client: each connection's mode is kept in a
;;;; hash table keyed by the connection and removed when it closes.
;;;;
;;;;   swankd --no-tcp examples/websocket-clients.lisp
;;;;
;;;; Clients connect to ws://127.0.0.1:8081/echo. "add" and "none" switch the mode of the
;;;; client that sends them only; "clients" answers how many clients have a mode.

(require :swank)
(require :bordeaux-threads)

(defvar *modes* (make-hash-table)
  "Connection -> :NONE or :ADD.")

(defvar *modes-lock* (bt:make-lock "modes"))

(defun on-open (socket)
  (bt:with-lock-held (*modes-lock*)
    (setf (gethash socket *modes*) :none)))

(defun on-close (socket code reason)
  (declare (ignore code reason))
  (bt:with-lock-held (*modes-lock*)
    (remhash socket *modes*)))

(defun on-message (socket message)
  (let ((mode (bt:with-lock-held (*modes-lock*) (gethash socket *modes*))))
    (cond ((not (stringp message)) (ws:send socket message))
          ((member message '("add" "none") :test #'string=)
           (bt:with-lock-held (*modes-lock*)
             (setf (gethash socket *modes*) (if (string= message "add") :add :none)))
           (ws:send socket (format nil "mode: ~a" message)))
          ((string= message "clients")
           (ws:send socket (format nil "clients: ~a"
                                   (bt:with-lock-held (*modes-lock*)
                                     (hash-table-count *modes*)))))
          ((eq mode :add) (ws:send socket (format nil "~a ...added..." message)))
          (t (ws:send socket message)))))

(swank:create-server :port 4007 :dont-close t)
(let ((endpoint (ws:publish-websocket "/echo" :port 8081 :on-open 'on-open
                                      :on-message 'on-message :on-close 'on-close)))
  (format t "websocket echo on ws://127.0.0.1:~a/echo~%" (ws:endpoint-port endpoint)))
(loop (sleep 60))
