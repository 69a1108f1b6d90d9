;;; harness.el --- Drive real Emacs + SLIME against a Swank server in batch  -*- lexical-binding: t -*-

;;; Commentary:

;; End-to-end harness for swankd: a real Emacs with Debian's SLIME 2.27 and
;; `slime-fancy' talks to a running Swank server (swankd, or SBCL's swank as
;; the oracle) and checks what a user would see: REPL buffers, prompts,
;; echo-area messages.
;;
;; Usage (the server must already listen):
;;
;;   emacs -Q --batch -l tests/e2e/harness.el -f swankd-e2e-batch-main \
;;         [--host 127.0.0.1] [--port N] [--unix PATH] [--timeout SECS] \
;;         SCENARIO...
;;
;; SCENARIO names come from scenarios.el (loaded from this directory);
;; `all' runs every scenario, `list' prints them.  Exit code 0 means every
;; scenario passed; anything else comes with a "FAIL" line on stderr,
;; followed by diagnostics (REPL buffers, echo-area messages, and the tail
;; of `*slime-events*', i.e. the wire traffic as SLIME saw it).
;;
;; Every wait is bounded (`swankd-e2e-wait-timeout'), and the whole run is
;; bounded too (`--timeout', default `swankd-e2e-overall-timeout'): Emacs
;; exits with code 3 rather than hang.
;;
;; Environment: SLIME_DIR overrides where SLIME's Emacs sources are found.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

;;;; Finding and loading SLIME

(eval-and-compile
  (defun swankd-e2e--find-slime-dir ()
    "Return the directory holding slime.el, or nil.
Looks at $SLIME_DIR, then Debian's elpa folders (the byte-compiled
one first), then whatever `package-initialize' finds."
    (or (let ((dir (getenv "SLIME_DIR")))
          (and dir (not (string-empty-p dir)) (file-name-as-directory dir)))
        (cl-loop for pattern in '("/usr/share/emacs/site-lisp/elpa/slime-*"
                                  "/usr/share/emacs/site-lisp/elpa-src/slime-*")
                 for dirs = (file-expand-wildcards pattern)
                 for dir = (car (last (sort dirs #'string<)))
                 when (and dir (file-exists-p (expand-file-name "slime.el" dir)))
                 return (file-name-as-directory dir))
        (progn
          (require 'package)
          (package-initialize)
          (let ((lib (locate-library "slime")))
            (and lib (file-name-directory lib))))))

  (defconst swankd-e2e-slime-dir (swankd-e2e--find-slime-dir)
    "Where SLIME's Emacs sources were found (nil if not found).")

  (when swankd-e2e-slime-dir
    (add-to-list 'load-path swankd-e2e-slime-dir)
    (add-to-list 'load-path (expand-file-name "contrib" swankd-e2e-slime-dir))))

(unless (and swankd-e2e-slime-dir (locate-library "slime"))
  (error "SLIME not found: install Debian's `slime' package or set SLIME_DIR"))

(require 'slime)
;; `slime-fancy' loads it too; requiring it here says what we depend on.
(require 'slime-repl)

(defconst swankd-e2e-directory
  (file-name-directory (or load-file-name byte-compile-current-file
                           buffer-file-name))
  "The directory of this file (tests/e2e/).")

;;;; Configuration

(defvar swankd-e2e-host "127.0.0.1"
  "Host of the Swank server under test.")

(defvar swankd-e2e-port nil
  "TCP port of the Swank server under test, or nil.")

(defvar swankd-e2e-unix-socket nil
  "Path of the server's Unix socket, or nil.")

(defvar swankd-e2e-program-output nil
  "File receiving the stdout of the program under test, or nil.
Set for scenarios that run a whole Lisp program (--program-output).")

(defvar swankd-e2e-wait-timeout 15
  "Seconds any single wait may take before the check fails.")

(defvar swankd-e2e-overall-timeout 50
  "Seconds the whole batch run may take before Emacs exits with code 3.")

(defconst swankd-e2e-prompt "CL-USER> "
  "The REPL prompt a Common Lisp server shows in COMMON-LISP-USER.")

;;;; Failures and problems seen in the background

(define-error 'swankd-e2e-failure "E2E check failed")

(defun swankd-e2e-show (value)
  "Return VALUE printed readably on one line (newlines as \\n)."
  (let ((print-escape-newlines t))
    (prin1-to-string value)))

(defun swankd-e2e-fail (format-string &rest args)
  "Fail the current scenario with a message from FORMAT-STRING and ARGS."
  (signal 'swankd-e2e-failure (list (apply #'format format-string args))))

(defvar swankd-e2e--problems nil
  "Errors seen where they cannot be signalled, newest first.
Process filters, sentinels and questions asked by SLIME end up here;
every wait checks this list and fails as soon as it is not empty.")

(defvar swankd-e2e--expected-closes nil
  "Connections this harness closed on purpose.")

(defun swankd-e2e--problem (format-string &rest args)
  "Record a background problem described by FORMAT-STRING and ARGS."
  (push (apply #'format format-string args) swankd-e2e--problems))

(defun swankd-e2e--check-problems ()
  "Fail if a background problem was recorded."
  (when swankd-e2e--problems
    (let ((problems (reverse swankd-e2e--problems)))
      (setq swankd-e2e--problems nil)
      (swankd-e2e-fail "%s" (string-join problems "\n")))))

(defun swankd-e2e--filter-advice (filter process string)
  "Call FILTER with PROCESS and STRING; record any error it signals.
Emacs would only print such an error (\"error in process filter\")."
  (condition-case err
      (funcall filter process string)
    (error
     (swankd-e2e--problem "error in SLIME's process filter: %s"
                          (error-message-string err)))))

(defun swankd-e2e--sentinel-advice (process event)
  "Record that PROCESS closed (EVENT) unless we closed it ourselves."
  (unless (memq process swankd-e2e--expected-closes)
    (swankd-e2e--problem "connection closed by the server: %s"
                         (string-trim event))))

(defun swankd-e2e--question-advice (prompt &rest _)
  "Refuse PROMPT: a question in batch mode means something went wrong."
  (swankd-e2e--problem "SLIME asked a question: %s" prompt)
  (error "Unexpected question in batch mode: %s" prompt))

;;;; Wire log

(defvar swankd-e2e--wire-log nil
  "The last messages exchanged with servers, newest first.
Each entry is a one-line string: direction, connection, message.")

(defconst swankd-e2e--wire-log-size 60
  "How many messages `swankd-e2e--wire-log' keeps.")

(defun swankd-e2e--log-wire (direction process sexp)
  "Remember SEXP sent in DIRECTION over PROCESS, cut to one short line."
  (let* ((text (swankd-e2e-show sexp))
         (text (if (> (length text) 300)
                   (concat (substring text 0 300) " ...")
                 text)))
    (push (format "%s %s %s" direction (process-name process) text)
          swankd-e2e--wire-log)
    (when (> (length swankd-e2e--wire-log) swankd-e2e--wire-log-size)
      (setcdr (nthcdr (1- swankd-e2e--wire-log-size) swankd-e2e--wire-log)
              nil))))

(defun swankd-e2e--net-send-advice (sexp process)
  "Log SEXP, about to be sent to PROCESS."
  (swankd-e2e--log-wire "E->L" process sexp))

(defun swankd-e2e--dispatch-advice (event &optional process)
  "Log EVENT if it was read from PROCESS (PROCESS is nil for our own)."
  (when process
    (swankd-e2e--log-wire "L->E" process event)))

;;;; Echo-area messages

(defvar swankd-e2e--messages nil
  "Every echo-area message shown so far, newest first.")

(defvar swankd-e2e--message-count 0
  "Number of messages in `swankd-e2e--messages'.")

(defun swankd-e2e--record-message (text)
  "Remember TEXT, a message just shown; return it unchanged."
  (when text
    (push text swankd-e2e--messages)
    (cl-incf swankd-e2e--message-count))
  text)

(defun swankd-e2e-messages-since (count)
  "Return the messages shown after the first COUNT, oldest first."
  (reverse (cl-subseq swankd-e2e--messages
                      0 (- swankd-e2e--message-count count))))

;;;; Waiting

(defun swankd-e2e-wait-until (what predicate &optional timeout)
  "Process input until PREDICATE returns non-nil; return that value.
WHAT describes the awaited state for the failure message.  Fail after
TIMEOUT seconds (default `swankd-e2e-wait-timeout'), or as soon as a
background problem is recorded.

The deadline is enforced by a timer that throws out of the wait, so it
holds even when SLIME is stuck in a synchronous request (`slime-eval'
spins in its own loop, e.g. inside the process filter during connect)."
  (let* ((seconds (or timeout swankd-e2e-wait-timeout))
         (deadline (+ (float-time) seconds))
         (tag (make-symbol "swankd-e2e-wait"))
         (timer (run-at-time seconds nil (lambda () (throw tag nil))))
         (value nil))
    (unwind-protect
        (catch tag
          (while (progn
                   (swankd-e2e--check-problems)
                   (not (setq value (funcall predicate))))
            (when (> (float-time) deadline)
              (throw tag nil))
            (accept-process-output nil 0.05)))
      (cancel-timer timer))
    (or value
        (swankd-e2e-fail "Timed out after %ss waiting for %s%s" seconds what
                         (let ((pending (swankd-e2e--pending-requests)))
                           (if pending
                               (format "\n  requests without a reply: %s"
                                       (string-join pending ", "))
                             ""))))))

(defun swankd-e2e--pending-requests ()
  "Describe the requests still waiting for a reply, on all connections."
  (cl-loop for connection in slime-net-processes
           when (process-live-p connection)
           append (mapcar (lambda (entry)
                            (format "#%s on %s" (car entry)
                                    (process-name connection)))
                          (ignore-errors
                            (slime-rex-continuations connection)))))

(defun swankd-e2e-settle (seconds)
  "Keep processing input for SECONDS, then check for problems."
  (let ((deadline (+ (float-time) seconds)))
    (while (< (float-time) deadline)
      (accept-process-output nil 0.05)))
  (swankd-e2e--check-problems))

(defun swankd-e2e-idle-p (connection)
  "Return t if CONNECTION has no request waiting for its reply."
  (null (slime-rex-continuations connection)))

;;;; Connecting

(defun swankd-e2e-repl-buffer (connection)
  "Return CONNECTION's live REPL buffer, or nil."
  (let ((buffer (slime-connection-output-buffer connection)))
    (and (buffer-live-p buffer) buffer)))

(defun swankd-e2e--repl-ready-p (connection)
  "Return CONNECTION's REPL buffer if it is idle at a fresh prompt."
  (let ((buffer (and (process-live-p connection)
                     (swankd-e2e-repl-buffer connection))))
    (and buffer
         (swankd-e2e-idle-p connection)
         (with-current-buffer buffer
           (and (= (point-max) slime-repl-input-start-mark)
                (> slime-repl-input-start-mark slime-repl-prompt-start-mark)))
         buffer)))

(defun swankd-e2e-await-repl (connection)
  "Wait until CONNECTION's REPL is at its prompt; return CONNECTION."
  (swankd-e2e-wait-until
   (format "the REPL of connection %s (handshake: connection-info, \
swank-require, create-repl)" connection)
   (lambda () (swankd-e2e--repl-ready-p connection)))
  connection)

(defun swankd-e2e-connect (&optional host port)
  "Connect like \\[slime-connect] to HOST:PORT; wait for the REPL.
HOST and PORT default to `swankd-e2e-host' and `swankd-e2e-port'.
Return the connection."
  (let ((port (or port swankd-e2e-port)))
    (unless port
      (swankd-e2e-fail "No TCP port given (use --port)"))
    (swankd-e2e-await-repl
     (slime-connect (or host swankd-e2e-host) port))))

(defun swankd-e2e-net-connect-local (path)
  "Open a SLIME connection process to the Unix socket at PATH.
This is `slime-net-connect' with `make-network-process' on a local
socket instead of `open-network-stream'."
  (let ((proc (make-network-process :name "SLIME Lisp"
                                    :family 'local
                                    :service (expand-file-name path)
                                    :coding 'binary))
        (buffer (slime-make-net-buffer " *cl-connection*")))
    (push proc slime-net-processes)
    (set-process-buffer proc buffer)
    (set-process-filter proc #'slime-net-filter)
    (set-process-sentinel proc #'slime-net-sentinel)
    (slime-set-query-on-exit-flag proc)
    (set-process-coding-system proc 'binary 'binary)
    (slime-send-secret proc)
    proc))

(defun swankd-e2e-connect-unix (&optional path)
  "Connect to the Swank server on the Unix socket PATH; wait for the REPL.
PATH defaults to `swankd-e2e-unix-socket'.  Return the connection."
  (let ((path (or path swankd-e2e-unix-socket)))
    (unless path
      (swankd-e2e-fail "No Unix socket given (use --unix)"))
    (slime-setup)                       ; what `slime-connect' does first
    (message "Connecting to Swank on %s.." path)
    (swankd-e2e-await-repl
     (slime-setup-connection (swankd-e2e-net-connect-local path)))))

(defun swankd-e2e-disconnect (connection &optional disconnect)
  "Run \\[slime-disconnect] in CONNECTION's REPL; wait until it is closed.
With DISCONNECT, a function, call it in the REPL buffer instead."
  (push connection swankd-e2e--expected-closes)
  (with-current-buffer (or (swankd-e2e-repl-buffer connection)
                           (swankd-e2e-fail "%s has no REPL buffer" connection))
    (if disconnect
        (funcall disconnect)
      (call-interactively #'slime-disconnect)))
  (swankd-e2e-wait-until (format "%s to close" connection)
                         (lambda ()
                           (and (not (process-live-p connection))
                                (not (memq connection slime-net-processes))))))

(defun swankd-e2e-disconnect-all ()
  "Close every SLIME connection and kill the REPL buffers."
  (dolist (connection slime-net-processes)
    (push connection swankd-e2e--expected-closes)
    (let ((buffer (swankd-e2e-repl-buffer connection)))
      (slime-net-close connection)
      (when buffer
        (kill-buffer buffer)))))

;;;; The REPL

(defun swankd-e2e-repl-text (connection)
  "Return the whole text of CONNECTION's REPL buffer."
  (with-current-buffer (or (swankd-e2e-repl-buffer connection)
                           (swankd-e2e-fail "%s has no REPL buffer" connection))
    (buffer-substring-no-properties (point-min) (point-max))))

(defun swankd-e2e-press (key)
  "Run the command KEY (a `kbd' string) is bound to in the current buffer."
  (let ((command (key-binding (kbd key))))
    (unless (commandp command)
      (swankd-e2e-fail "%s is not bound to a command in %s" key (buffer-name)))
    (call-interactively command)))

(defun swankd-e2e-type-at-repl (repl input)
  "Type INPUT at the end of the REPL buffer REPL and press RET, without waiting.
For input whose evaluation does not return at once: an error for SLDB, an
answer to a question the REPL asked."
  (with-current-buffer repl
    (goto-char (point-max))
    (insert input)
    (swankd-e2e-press "RET")))

(defun swankd-e2e-repl-eval (connection input)
  "Type INPUT at CONNECTION's REPL prompt, press RET and wait.
Return the transcript the user sees from the prompt where INPUT was
typed to the end of the buffer, e.g. \"CL-USER> (+ 1 2)\\n3\\nCL-USER> \"."
  (let ((buffer (swankd-e2e--repl-ready-p connection)))
    (unless buffer
      (swankd-e2e-fail "The REPL of %s is not idle at a prompt:\n%s" connection
                       (ignore-errors (swankd-e2e-repl-text connection))))
    (with-current-buffer buffer
      (let ((start (marker-position slime-repl-prompt-start-mark))
            (input-end nil))
        (goto-char (point-max))
        (insert input)
        (setq input-end (point))
        (unless (eq (key-binding (kbd "RET")) 'slime-repl-return)
          (swankd-e2e-fail "RET is bound to %S in the REPL, not slime-repl-return"
                           (key-binding (kbd "RET"))))
        (swankd-e2e-press "RET")
        ;; Done when the reply came and a new prompt follows the input.
        (swankd-e2e-wait-until
         (format "the reply to REPL input %S" input)
         (lambda ()
           (with-current-buffer buffer
             (and (swankd-e2e-idle-p connection)
                  (> slime-repl-prompt-start-mark input-end)
                  (= (point-max) slime-repl-input-start-mark)))))
        (buffer-substring-no-properties start (point-max))))))

(defun swankd-e2e-program-lines (regexp)
  "The lines of the program's output that match REGEXP, oldest first."
  (unless swankd-e2e-program-output
    (swankd-e2e-fail "This scenario needs --program-output"))
  (with-temp-buffer
    (insert-file-contents swankd-e2e-program-output)
    (let ((lines nil))
      (goto-char (point-min))
      (while (re-search-forward regexp nil t)
        (push (match-string 0) lines))
      (nreverse lines))))

(defun swankd-e2e-check-repl (connection input expected)
  "Evaluate INPUT in CONNECTION's REPL; fail unless it shows EXPECTED.
EXPECTED is what appears between the input line and the next prompt."
  (let ((transcript (swankd-e2e-repl-eval connection input))
        (want (concat swankd-e2e-prompt input "\n" expected swankd-e2e-prompt)))
    (unless (equal transcript want)
      (swankd-e2e-fail "REPL input %S\n  expected: %s\n  got:      %s"
                       input (swankd-e2e-show want)
                       (swankd-e2e-show transcript)))
    (message "  ok  REPL %s => %s" input (swankd-e2e-show expected))))

;;;; The debugger

(defun swankd-e2e-sldb-buffer ()
  "The SLDB buffer that is showing, or nil."
  (cl-find-if (lambda (buffer)
                (and (string-prefix-p "*sldb " (buffer-name buffer))
                     (with-current-buffer buffer
                       (> (buffer-size) 0))))
              (buffer-list)))

;;;; Source buffers and the echo area

(defun swankd-e2e-lisp-buffer (connection name text)
  "Return a new `lisp-mode' buffer NAME holding TEXT, point at its end.
`slime-mode' is on, as in any Lisp file, and the buffer talks to
CONNECTION."
  (with-current-buffer (generate-new-buffer name)
    (insert text)
    (lisp-mode)
    (unless (bound-and-true-p slime-mode)
      (swankd-e2e-fail "slime-mode is not on in a lisp-mode buffer"))
    (setq-local slime-buffer-connection connection)
    (goto-char (point-max))
    (current-buffer)))

(defun swankd-e2e-echo-after (connection thunk)
  "Call THUNK, wait until CONNECTION is idle; return the messages shown.
The messages are a list of strings, oldest first."
  (let ((count swankd-e2e--message-count))
    (funcall thunk)
    (swankd-e2e-wait-until "the reply (the connection to become idle)"
                           (lambda () (swankd-e2e-idle-p connection)))
    (swankd-e2e-messages-since count)))

(defun swankd-e2e-check-echo (what messages expected)
  "Fail unless MESSAGES (from WHAT) are exactly the list (EXPECTED)."
  (unless (equal messages (list expected))
    (swankd-e2e-fail "%s\n  expected echo area: %s\n  got messages:       %s"
                     what (swankd-e2e-show expected)
                     (swankd-e2e-show messages)))
  (message "  ok  %s => %s" what (swankd-e2e-show expected)))

(defun swankd-e2e-eval-last-expression (connection text)
  "Type TEXT in a Lisp buffer and press C-x C-e; return the messages."
  (with-current-buffer (swankd-e2e-lisp-buffer connection "e2e.lisp" text)
    (unless (eq (key-binding (kbd "C-x C-e")) 'slime-eval-last-expression)
      (swankd-e2e-fail "C-x C-e is bound to %S, not slime-eval-last-expression"
                       (key-binding (kbd "C-x C-e"))))
    (prog1 (swankd-e2e-echo-after connection
                                  (lambda () (swankd-e2e-press "C-x C-e")))
      (kill-buffer))))

(defun swankd-e2e-interactive-eval (connection text)
  "Run `slime-interactive-eval' on TEXT (what C-c : does); return messages."
  (with-temp-buffer
    (setq-local slime-buffer-connection connection)
    (swankd-e2e-echo-after connection
                           (lambda () (slime-interactive-eval text)))))

;;;; Scenarios

(defvar swankd-e2e-scenarios nil
  "Alist of (NAME DOCSTRING FUNCTION), in definition order.")

(defmacro swankd-e2e-defscenario (name docstring &rest body)
  "Define the scenario NAME (a symbol) with DOCSTRING and BODY.
BODY runs with no connection open and fails by signalling
`swankd-e2e-failure' (see `swankd-e2e-fail')."
  (declare (indent defun) (doc-string 2))
  (let ((function (intern (format "swankd-e2e-scenario-%s" name))))
    `(progn
       (defun ,function ()
         ,docstring
         ,@body)
       (setq swankd-e2e-scenarios
             (append (assq-delete-all ',name swankd-e2e-scenarios)
                     (list (list ',name ,docstring #',function)))))))

(defun swankd-e2e-print-diagnostics ()
  "Print what helps to understand a failure to stderr."
  (dolist (buffer (buffer-list))
    (when (string-prefix-p "*slime-repl" (buffer-name buffer))
      (message "---- %s:\n%s" (buffer-name buffer)
               (with-current-buffer buffer
                 (buffer-substring-no-properties (point-min) (point-max))))))
  (message "---- last %d messages on the wire (see also *slime-events*):\n%s"
           (length swankd-e2e--wire-log)
           (string-join (reverse swankd-e2e--wire-log) "\n")))

(defun swankd-e2e-run-scenario (name)
  "Run the scenario NAME; return t if it passed, nil after printing why."
  (let ((entry (assq name swankd-e2e-scenarios))
        (start (float-time)))
    (message "==== %s" name)
    (condition-case err
        (progn
          (unless entry
            (swankd-e2e-fail "No such scenario: %s (known: %s)" name
                             (mapconcat (lambda (e) (symbol-name (car e)))
                                        swankd-e2e-scenarios " ")))
          (setq swankd-e2e--problems nil)
          (funcall (nth 2 entry))
          ;; Late events (e.g. :indentation-update) must not break SLIME
          ;; either; letting them arrive also keeps SLIME's input timer
          ;; from running on a connection closed under it.
          (swankd-e2e-settle 0.2)
          (message "PASS %s (%.1fs)" name (- (float-time) start))
          (swankd-e2e-disconnect-all)
          t)
      (error
       (message "FAIL %s: %s" name
                (if (eq (car err) 'swankd-e2e-failure)
                    (cadr err)
                  (error-message-string err)))
       (swankd-e2e-print-diagnostics)
       (ignore-errors (swankd-e2e-disconnect-all))
       nil))))

;;;; Batch entry point

(defvar swankd-e2e--temp-dir nil
  "A temporary directory for this run, deleted when Emacs exits.")

(defun swankd-e2e--delete-temp-dir ()
  "Delete `swankd-e2e--temp-dir'."
  (when swankd-e2e--temp-dir
    (delete-directory swankd-e2e--temp-dir t)))

(defun swankd-e2e-setup ()
  "Load SLIME the way a user with `slime-fancy' has it, for batch use."
  ;; The REPL history goes to a directory of our own, never to ~.
  (setq swankd-e2e--temp-dir (make-temp-file "swankd-e2e-history-" t))
  ;; Depth 90: after SLIME's own hook has saved the history there.
  (add-hook 'kill-emacs-hook #'swankd-e2e--delete-temp-dir 90)
  (setq slime-repl-history-file
        (expand-file-name "slime-history.eld" swankd-e2e--temp-dir))
  (slime-setup '(slime-fancy))
  (advice-add 'slime-net-filter :around #'swankd-e2e--filter-advice)
  (advice-add 'slime-net-sentinel :before #'swankd-e2e--sentinel-advice)
  (advice-add 'y-or-n-p :before #'swankd-e2e--question-advice)
  (advice-add 'yes-or-no-p :before #'swankd-e2e--question-advice)
  (advice-add 'message :filter-return #'swankd-e2e--record-message)
  (advice-add 'slime-net-send :before #'swankd-e2e--net-send-advice)
  (advice-add 'slime-dispatch-event :before #'swankd-e2e--dispatch-advice))

(defun swankd-e2e--parse-args (args)
  "Set the configuration from command-line ARGS; return the scenario names."
  (let ((names nil))
    (while args
      (let ((arg (pop args)))
        (pcase arg
          ("--host" (setq swankd-e2e-host (pop args)))
          ("--port" (setq swankd-e2e-port (string-to-number (pop args))))
          ("--unix" (setq swankd-e2e-unix-socket (pop args)))
          ("--program-output" (setq swankd-e2e-program-output (pop args)))
          ("--timeout"
           (setq swankd-e2e-overall-timeout (string-to-number (pop args))))
          ((pred (string-prefix-p "-")) (error "Unknown option %s" arg))
          (_ (push (intern arg) names)))))
    (nreverse names)))

(defun swankd-e2e-batch-main ()
  "Run the scenarios named on the command line, then exit Emacs.
Exit code: 0 all passed, 1 a scenario failed, 2 bad usage, 3 timeout."
  (let ((names (condition-case err
                   (swankd-e2e--parse-args command-line-args-left)
                 (error (message "usage error: %s" (error-message-string err))
                        (kill-emacs 2)))))
    (setq command-line-args-left nil)
    (load (expand-file-name "scenarios.el" swankd-e2e-directory) nil t t)
    (when (equal names '(list))
      (dolist (entry swankd-e2e-scenarios)
        (message "scenario %-21s %s" (car entry) (cadr entry)))
      (kill-emacs 0))
    (when (equal names '(all))
      (setq names (mapcar #'car swankd-e2e-scenarios)))
    (unless names
      (message "usage error: no scenario named (try `list')")
      (kill-emacs 2))
    (run-at-time swankd-e2e-overall-timeout nil
                 (lambda ()
                   (message "FAIL: overall timeout of %ss reached"
                            swankd-e2e-overall-timeout)
                   (swankd-e2e-print-diagnostics)
                   (kill-emacs 3)))
    (swankd-e2e-setup)
    (let ((failed (cl-remove-if #'swankd-e2e-run-scenario names)))
      (cond (failed
             (message "%d of %d scenarios FAILED: %s" (length failed)
                      (length names) (mapconcat #'symbol-name failed " "))
             (kill-emacs 1))
            (t
             (message "all %d scenarios passed" (length names))
             (kill-emacs 0))))))

(provide 'swankd-e2e-harness)

;;; harness.el ends here
