;;; swankd-tests.el --- ERT tests of swankd.el against the real daemon  -*- lexical-binding: t -*-

;;; Commentary:

;; Every test starts the real swankd binary in a temporary directory,
;; which is also HOME (so ~/.slime-secret is the test's own) and
;; `temporary-file-directory' (where SLIME's port file goes), and talks
;; to it through SLIME 2.27 with the slime-repl contrib.
;;
;;   SWANKD_BIN=target/debug/swankd \
;;   emacs -Q --batch -L elisp -L SLIME-DIR -L SLIME-DIR/contrib \
;;         -l elisp/swankd-tests.el -f ert-run-tests-batch-and-exit
;;
;; SWANKD_BIN defaults to target/debug/swankd of this source tree.
;; Nothing here uses the network beyond loopback and Unix sockets.

;;; Code:

(require 'cl-lib)
(require 'ert)
(require 'slime)
(require 'swankd)

;; `slime-setup' only initializes contribs that are not loaded yet, so it
;; must come before anything requires slime-repl.
(slime-setup '(slime-repl))
(require 'slime-repl)

(defconst swankd-tests-directory
  (file-name-directory (or load-file-name byte-compile-current-file
                           buffer-file-name))
  "The directory of this file (elisp/).")

(defvar swankd-tests-binary
  (let ((binary (getenv "SWANKD_BIN")))
    (if (and binary (not (string= binary "")))
        (expand-file-name binary)
      (expand-file-name "../target/debug/swankd" swankd-tests-directory)))
  "The swankd binary under test: $SWANKD_BIN, else this tree's debug build.")

(unless (file-executable-p swankd-tests-binary)
  (error "No swankd binary at %s: run cargo build, or set SWANKD_BIN"
         swankd-tests-binary))

(defvar swankd-tests-timeout 15
  "Seconds any single wait may take.")

;;;; Helpers

(defvar swankd-tests--questions nil
  "Questions SLIME asked with `y-or-n-p' during the current test.")

(defvar swankd-tests--daemons nil
  "Daemon processes started by the current test.")

(defvar swankd-tests--home nil
  "The current test's temporary directory (HOME, sockets, port files).")

(defun swankd-tests--logs ()
  "Return the output of the daemons of the current test, for failures."
  (mapconcat (lambda (process)
               (let ((buffer (process-buffer process)))
                 (if (buffer-live-p buffer)
                     (with-current-buffer buffer (buffer-string))
                   "")))
             swankd-tests--daemons
             "\n"))

(defun swankd-tests-wait (what predicate)
  "Process input until PREDICATE returns non-nil; return its value.
Fail, naming WHAT, after `swankd-tests-timeout' seconds."
  (let ((deadline (+ (float-time) swankd-tests-timeout))
        (value nil))
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value
        (ert-fail (list (format "Timed out waiting for %s" what)
                        :daemon-output (swankd-tests--logs))))))

(defun swankd-tests-start-daemon (&rest arguments)
  "Start swankd with ARGUMENTS in the test's directory; return the process.
stdout and stderr go to a buffer that failures show."
  (let ((process (make-process :name "swankd"
                               :buffer (generate-new-buffer " *swankd*")
                               :command (cons swankd-tests-binary arguments)
                               :connection-type 'pipe
                               :noquery t)))
    (push process swankd-tests--daemons)
    process))

(defun swankd-tests-start-socket-daemon (&rest arguments)
  "Start swankd on the Unix socket swankd.sock with ARGUMENTS too.
Wait until the socket exists; return its file name."
  (let ((socket (expand-file-name "swankd.sock" swankd-tests--home)))
    (apply #'swankd-tests-start-daemon
           "--unix" socket
           "--port" "0"
           "--port-file" (expand-file-name "port" swankd-tests--home)
           arguments)
    (swankd-tests-wait (format "swankd to create %s" socket)
                       (lambda () (swankd--socket-p socket)))
    socket))

(defun swankd-tests-repl-buffer (connection)
  "Return CONNECTION's REPL buffer once it is idle at a prompt, else nil."
  (let ((buffer (slime-connection-output-buffer connection)))
    (and (process-live-p connection)
         (buffer-live-p buffer)
         (null (slime-rex-continuations connection))
         (with-current-buffer buffer
           (and (= (point-max) slime-repl-input-start-mark)
                (> slime-repl-input-start-mark slime-repl-prompt-start-mark)))
         buffer)))

(defun swankd-tests-await-repl (connection)
  "Wait until CONNECTION has a REPL at its prompt; return its buffer."
  (swankd-tests-wait (format "the REPL of %s" connection)
                     (lambda () (swankd-tests-repl-buffer connection))))

(defun swankd-tests-repl-eval (connection input)
  "Type INPUT at CONNECTION's REPL, press RET; return the new transcript.
The transcript runs from the prompt before INPUT to the next prompt."
  (let ((buffer (swankd-tests-await-repl connection)))
    (with-current-buffer buffer
      (let ((start (marker-position slime-repl-prompt-start-mark))
            (input-end nil))
        (goto-char (point-max))
        (insert input)
        (setq input-end (point))
        (should (eq (key-binding (kbd "RET")) 'slime-repl-return))
        (call-interactively #'slime-repl-return)
        (swankd-tests-wait
         (format "the reply to %S" input)
         (lambda ()
           (and (swankd-tests-repl-buffer connection)
                (> slime-repl-prompt-start-mark input-end))))
        (buffer-substring-no-properties start (point-max))))))

(defun swankd-tests-connection ()
  "Wait for the first SLIME connection to be set up; return it."
  (swankd-tests-wait "a SLIME connection"
                     (lambda ()
                       (cl-find-if (lambda (connection)
                                     (slime-lisp-implementation-type
                                      connection))
                                   slime-net-processes))))

(defun swankd-tests--cleanup ()
  "Close every connection, stop every daemon, delete the directory."
  (dolist (connection slime-net-processes)
    (let ((buffer (slime-connection-output-buffer connection)))
      (slime-net-close connection t)
      (when (buffer-live-p buffer)
        (kill-buffer buffer))))
  (slime-cancel-connect-retry-timer)
  (dolist (process swankd-tests--daemons)
    (delete-process process)
    (kill-buffer (process-buffer process)))
  (let ((inferior (get-buffer "*inferior-lisp*")))
    (when inferior
      (let ((process (get-buffer-process inferior)))
        (when process
          (delete-process process)))
      (kill-buffer inferior)))
  (when swankd-tests--home
    (delete-directory swankd-tests--home t)))

(defmacro swankd-tests-with-home (&rest body)
  "Run BODY with a fresh temporary HOME, then clean up.
SLIME's questions are recorded in `swankd-tests--questions' and
answered \"yes\" (\"no\" to \"Versions differ\" would throw to the top
level)."
  (declare (indent 0) (debug t))
  `(let* ((swankd-tests--home (file-name-as-directory
                               (make-temp-file "swankd-test" t)))
          (swankd-tests--daemons nil)
          (swankd-tests--questions nil)
          (process-environment (cons (concat "HOME=" swankd-tests--home)
                                     process-environment))
          (temporary-file-directory swankd-tests--home)
          (slime-net-processes nil)
          (slime-default-connection nil)
          (swankd-program swankd-tests-binary)
          (swankd-extra-arguments nil))
     (cl-letf (((symbol-function 'y-or-n-p)
                (lambda (prompt)
                  (push prompt swankd-tests--questions)
                  t)))
       (unwind-protect
           (progn ,@body)
         (swankd-tests--cleanup)))))

(defconst swankd-tests-three "CL-USER> (+ 1 2)\n3\nCL-USER> "
  "The REPL transcript of (+ 1 2).")

;;;; slime-connect-unix

(ert-deftest swankd-tests-connect-unix-repl ()
  "`slime-connect-unix' gets a REPL on swankd's socket that evaluates."
  (swankd-tests-with-home
    (let* ((socket (swankd-tests-start-socket-daemon))
           (connection (slime-connect-unix socket)))
      (should (process-live-p connection))
      (should (eq (process-type connection) 'network))
      (should (equal (process-contact connection :service) socket))
      (should (equal (swankd-tests-repl-eval connection "(+ 1 2)")
                     swankd-tests-three))
      (should (equal (slime-lisp-implementation-type connection) "swankd"))
      (should (equal (let ((slime-dispatching-connection connection))
                       (slime-eval '(swank:interactive-eval "(* 6 7)")))
                     "=> 42 (6 bits, #x2A, #o52, #b101010)"))
      (should-not swankd-tests--questions))))

(ert-deftest swankd-tests-connect-unix-missing ()
  "A socket file that does not exist is a clear `user-error'."
  (swankd-tests-with-home
    (let* ((path (expand-file-name "nothing.sock" swankd-tests--home))
           (err (should-error (slime-connect-unix path) :type 'user-error)))
      (should (string-match-p "No such socket: .*nothing\\.sock"
                              (error-message-string err)))
      (should-not slime-net-processes))))

(ert-deftest swankd-tests-connect-unix-regular-file ()
  "A regular file or a directory is a clear `user-error'."
  (swankd-tests-with-home
    (let ((file (expand-file-name "plain.txt" swankd-tests--home)))
      (write-region "not a socket\n" nil file)
      (should (string-match-p
               "plain\\.txt is not a Unix socket"
               (error-message-string
                (should-error (slime-connect-unix file) :type 'user-error))))
      (should (string-match-p
               "is a directory, not a Unix socket"
               (error-message-string
                (should-error (slime-connect-unix swankd-tests--home)
                              :type 'user-error))))
      (should-not slime-net-processes))))

(ert-deftest swankd-tests-connect-unix-refused ()
  "A socket nobody listens on (swankd was killed) is a clear `user-error'."
  (swankd-tests-with-home
    (let* ((socket (swankd-tests-start-socket-daemon))
           (daemon (car swankd-tests--daemons)))
      (signal-process daemon 'SIGKILL)
      (swankd-tests-wait "swankd to die" (lambda () (not (process-live-p daemon))))
      (should (swankd--socket-p socket))
      (should (string-match-p
               "\\`Cannot connect to .*swankd\\.sock: Connection refused (nothing listens there: a stale socket\\?)\\'"
               (error-message-string
                (should-error (slime-connect-unix socket) :type 'user-error))))
      (should-not slime-net-processes))))

(ert-deftest swankd-tests-connect-unix-secret ()
  "The first line of ~/.slime-secret is sent first, as `slime-connect' does."
  (swankd-tests-with-home
    (let ((daemon-secret (expand-file-name "daemon-secret" swankd-tests--home))
          (emacs-secret (expand-file-name ".slime-secret" swankd-tests--home)))
      (write-region "s3cr3t\nsecond line\n" nil daemon-secret)
      (let ((socket (swankd-tests-start-socket-daemon
                     "--secret-file" daemon-secret)))
        ;; The right secret: a working REPL.
        (write-region "s3cr3t\n" nil emacs-secret)
        (let ((connection (slime-connect-unix socket)))
          (should (equal (swankd-tests-repl-eval connection "(+ 1 2)")
                         swankd-tests-three))
          (slime-net-close connection t))
        ;; A wrong one: swankd closes the socket at once.
        (write-region "wrong\n" nil emacs-secret)
        (let ((connection (swankd-net-connect-local socket)))
          (swankd-tests-wait "swankd to close a connection with a wrong secret"
                             (lambda ()
                               (not (process-live-p connection))))
          (slime-net-close connection t))))))

(ert-deftest swankd-tests-no-version-question ()
  "SLIME does not ask \"Versions differ\" for swankd, but would without us."
  (swankd-tests-with-home
    (let* ((socket (swankd-tests-start-socket-daemon "--slime-version" "9.99"))
           (connection (slime-connect-unix socket)))
      (swankd-tests-await-repl connection)
      (should-not swankd-tests--questions)
      ;; swankd was told which SLIME this connection is.
      (should (equal (let ((slime-dispatching-connection connection))
                       (slime-eval '(swankd:client-slime-version)))
                     slime-version))
      ;; The same daemon without the advice: SLIME asks.
      (advice-remove 'slime-set-connection-info #'swankd--set-connection-info)
      (unwind-protect
          (let ((other (swankd-net-connect-local socket)))
            (ignore-errors (slime-setup-connection other))
            (swankd-tests-wait "SLIME's version question"
                               (lambda () swankd-tests--questions))
            (should (string-match-p "Versions differ: .* vs\\. 9\\.99"
                                    (car swankd-tests--questions))))
        (advice-add 'slime-set-connection-info :around
                    #'swankd--set-connection-info)))))

;;;; swankd as the inferior Lisp

(defun swankd-tests-check-inferior (connection)
  "Check CONNECTION belongs to a swankd that SLIME started and is usable."
  (should (equal (swankd-tests-repl-eval connection "(+ 1 2)")
                 swankd-tests-three))
  (let ((inferior (slime-inferior-process connection)))
    (should (process-live-p inferior))
    (should (eq (process-buffer inferior) (get-buffer "*inferior-lisp*"))))
  (let ((info (let ((slime-dispatching-connection connection))
                (slime-eval '(swank:connection-info)))))
    ;; swankd was told this SLIME's version on its command line.
    (should (equal (plist-get info :version) slime-version))
    (should (equal (plist-get (plist-get info :lisp-implementation) :type)
                   "swankd")))
  ;; SLIME read the port file and deleted it.
  (should-not (file-exists-p (slime-swank-port-file)))
  (should-not swankd-tests--questions))

(ert-deftest swankd-tests-start ()
  "\\[swankd-start] runs swankd as the inferior Lisp and connects."
  (swankd-tests-with-home
    (swankd-start)
    (swankd-tests-check-inferior (swankd-tests-connection))))

(ert-deftest swankd-tests-start-loads-files ()
  "\\[swankd-start] loads the given files into the image."
  (swankd-tests-with-home
    (let ((file (expand-file-name "app.lisp" swankd-tests--home)))
      (write-region "(defparameter *answer* 42)\n" nil file)
      (swankd-start (list file))
      (let ((connection (swankd-tests-connection)))
        (should (equal (swankd-tests-repl-eval connection "*answer*")
                       "CL-USER> *answer*\n42\nCL-USER> "))))))

(ert-deftest swankd-tests-slime-lisp-implementations ()
  "After `swankd-setup', (slime \\='swankd) starts swankd."
  (swankd-tests-with-home
    (let ((slime-lisp-implementations '((other ("other-lisp")))))
      (swankd-setup)
      (should (equal (last slime-lisp-implementations)
                     '((swankd swankd-lisp-implementation))))
      (swankd-setup)
      (should (= (length slime-lisp-implementations) 2))
      (slime 'swankd)
      (swankd-tests-check-inferior (swankd-tests-connection)))))

(ert-deftest swankd-tests-setup-string-names ()
  "`swankd-setup' names Debian's entries, named by strings, by symbols."
  (let ((slime-lisp-implementations '(("sbcl" ("sbcl")) (ccl ("ccl")))))
    (swankd-setup)
    (should (equal slime-lisp-implementations
                   '((sbcl ("sbcl")) (ccl ("ccl"))
                     (swankd swankd-lisp-implementation))))))

(ert-deftest swankd-tests-inferior-lisp-program ()
  "(setq inferior-lisp-program \"swankd\") and \\[slime] start swankd."
  (swankd-tests-with-home
    (let ((slime-lisp-implementations nil)
          (inferior-lisp-program swankd-tests-binary)
          (swankd-program "swankd"))
      (slime)
      (swankd-tests-check-inferior (swankd-tests-connection)))))

(ert-deftest swankd-tests-missing-program ()
  "A `swankd-program' that does not exist is a clear `user-error'."
  (swankd-tests-with-home
    (let ((swankd-program (expand-file-name "no-such-swankd"
                                            swankd-tests--home)))
      (should (string-match-p
               "Cannot find swankd"
               (error-message-string
                (should-error (swankd-start) :type 'user-error)))))))

(provide 'swankd-tests)

;;; swankd-tests.el ends here
