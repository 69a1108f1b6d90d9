;;;; A WebSocket echo service with one global mode, to change while it serves.
;;;;
;;;;   swankd --no-tcp examples/websocket-echo.lisp
;;;;
;;;; Clients connect to ws://127.0.0.1:8080/echo; every text message comes back. The message
;;;; "add" makes the service append " ...added..." to every reply, for every client; "none"
;;;; stops that. Connect Emacs (M-x slime-connect RET 127.0.0.1 RET 4006 RET) and redefine
;;;; ON-MESSAGE: the next message of each client gets the new definition.

(require :swank)

(defvar *mode* :none
  "How replies are made, for every client: :NONE or :ADD.")

(defun reply (message)
  (if (eq *mode* :add)
      (format nil "~a ...added..." message)
      message))

(defun on-message (socket message)
  (cond ((not (stringp message)) (ws:send socket message))
        ((string= message "add") (setf *mode* :add) (ws:send socket "mode: add"))
        ((string= message "none") (setf *mode* :none) (ws:send socket "mode: none"))
        (t (ws:send socket (reply message)))))

(swank:create-server :port 4006 :dont-close t)
(let ((endpoint (ws:publish-websocket "/echo" :port 8080 :on-message 'on-message)))
  (format t "websocket echo on ws://127.0.0.1:~a/echo~%" (ws:endpoint-port endpoint)))
(loop (sleep 60))
