;;;; WebSockets for programs (package SWANKD-WEBSOCKET, nickname WS), over the builtins in
;;;; websockets.rs. Each connection is served by its own thread, which calls the handlers
;;;; given as function names at every event, so redefining a handler takes effect at the
;;;; next message. Errors in handlers go to the debugger like any thread's.

(defstruct (endpoint (:constructor %make-endpoint (handle path on-open on-message on-close))
                     (:copier nil))
  handle path on-open on-message on-close)

(defun %call-handler (handler &rest arguments)
  (when handler (apply handler arguments)))

(defun %serve (socket on-open on-message on-close)
  "Runs one connection: ON-OPEN, then ON-MESSAGE for each message, then ON-CLOSE with the
close code and reason. A connection whose thread is unwound otherwise is closed (1011)."
  (let ((closed nil))
    (unwind-protect
         (progn
           (%call-handler on-open socket)
           (loop
             (multiple-value-bind (kind data) (swankd::%ws-receive socket)
               (case kind
                 ((nil) (swankd::%wait-for-streams (list socket) :input nil))
                 (:close
                  (setq closed t)
                  (%call-handler on-close socket (first data) (second data))
                  (return))
                 (t (%call-handler on-message socket data))))))
      (unless closed (swankd::%ws-close socket 1011 "")))))

(defun %accept-loop (endpoint)
  (let ((handle (endpoint-handle endpoint)))
    (loop
      (let ((socket (handler-case (swankd::%ws-accept handle)
                      (usocket::socket-error () (return)))))
        (if socket
            (bt:make-thread (lambda ()
                              (%serve socket (endpoint-on-open endpoint)
                                      (endpoint-on-message endpoint)
                                      (endpoint-on-close endpoint)))
                            :name (format nil "websocket ~a client" (endpoint-path endpoint)))
            (swankd::%wait-for-streams (list handle) :accept nil))))))

(defun publish-websocket (path &key (host "127.0.0.1") (port 0) on-open on-message on-close)
  "Serves WebSocket clients that ask for PATH on HOST and PORT (0: any free port; see
ENDPOINT-PORT). For each client, its own thread calls (ON-OPEN SOCKET), then
(ON-MESSAGE SOCKET MESSAGE) for each message (a string, or a vector of octets), then
(ON-CLOSE SOCKET CODE REASON). Give the handlers as function names to redefine them live."
  (let ((endpoint (%make-endpoint (swankd::%ws-listen (usocket::%host-string host) port path)
                                  path on-open on-message on-close)))
    (bt:make-thread (lambda () (%accept-loop endpoint))
                    :name (format nil "websocket ~a" path))
    endpoint))

(defun endpoint-port (endpoint)
  "The port ENDPOINT listens on."
  (nth-value 1 (swankd::%socket-address (endpoint-handle endpoint) nil)))

(defun stop-websocket (endpoint)
  "Stops accepting clients at ENDPOINT (connections already open stay)."
  (swankd::%socket-close (endpoint-handle endpoint))
  nil)

(defun send (socket message)
  "Sends MESSAGE: a string as a text message, a vector of octets as a binary one."
  (loop until (swankd::%ws-send socket message)
        do (swankd::%wait-for-streams (list socket) :output nil))
  message)

(defun close-websocket (socket &key (code 1000) (reason ""))
  "Starts closing SOCKET with CODE and REASON; its ON-CLOSE runs when the peer answers."
  (swankd::%ws-close socket code reason)
  nil)

(defun open-websocket (url &key on-open on-message on-close)
  "Connects to URL (ws://HOST:PORT/PATH) and serves the connection in a thread of its own
with the same handlers as PUBLISH-WEBSOCKET. Returns the socket once it is open."
  (let ((socket (swankd::%ws-connect url)))
    (loop until (swankd::%ws-connected-p socket)
          do (swankd::%wait-for-streams (list socket) :connected nil))
    (bt:make-thread (lambda () (%serve socket on-open on-message on-close))
                    :name (format nil "websocket ~a" url))
    socket))
