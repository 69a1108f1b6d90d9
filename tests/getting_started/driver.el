;;; driver.el --- docs/GETTING-STARTED.md done in real Emacs + SLIME  -*- lexical-binding: t -*-

;;; Commentary:

;; The Emacs half of tests/getting_started.rs, which reads the document,
;; starts the program the way it says, and runs:
;;
;;   emacs -Q --batch -l DOC.el -l tests/getting_started/driver.el \
;;         -f swankd-e2e-batch-main --program-output STDOUT SCENARIO
;;
;; SCENARIO is `getting-started' (steps 3 to 6 against the program of
;; step 2, over TCP), `getting-started-unix' (step 7: the same over a Unix
;; socket) or `getting-started-inferior' (step 8, with no program: swankd
;; must be on PATH).
;;
;; DOC.el sets `swankd-gs-doc' to what the test took from the document:
;; the init file forms, the M-x commands as typed, the Lisp forms, the
;; REPL input and what SLDB and the REPL are said to show (the port and the
;; socket path replaced by the test's own).  This file only knows the order
;; of the steps: everything typed or looked for comes from there.
;;
;; The harness (tests/e2e/harness.el) does the waiting, the REPL typing
;; and the failure reports.

;;; Code:

(require 'swankd-e2e-harness (expand-file-name "../e2e/harness.el"
                                               (file-name-directory
                                                (or load-file-name
                                                    byte-compile-current-file
                                                    buffer-file-name))))

(defvar swankd-gs-doc nil
  "What tests/getting_started.rs read from docs/GETTING-STARTED.md.
A plist; see the test for its keys.")

(defconst swankd-gs-tick-regexp "^.* world [0-9]+!$"
  "A line the demo prints on each tick of its loop.")

(defconst swankd-gs-other-version "2.0"
  "A SLIME version other than swankd's, for the \"Versions differ\" check.")

(defun swankd-gs (key)
  "The value of KEY in `swankd-gs-doc'; fail if there is none."
  (or (plist-get swankd-gs-doc key)
      (swankd-e2e-fail "The test passed no %s from the document" key)))

;;;; Typing what the document says

(defun swankd-gs-keys (keys)
  "Type KEYS, such as \"M-x slime-connect RET 127.0.0.1 RET 4006 RET\".
Run the command, with the prefix argument of a leading C-u or M--,
and answer its prompts, in order, with the texts between the RETs;
fail if it asks more or fewer questions than that, or if a completing
prompt does not offer the answer.  Return the command's value."
  (let* ((parts (split-string keys " RET\\(?: \\|\\'\\)" t))
         (command (and (string-match "\\`\\(?:\\(C-u\\|M--\\) \\)?M-x \\([^ ]+\\)\\'"
                                     (car parts))
                       (intern (match-string 2 (car parts)))))
         (prefix (pcase (match-string 1 (car parts))
                   ("C-u" '(4))
                   ("M--" '-)))
         (answers (cdr parts))
         (answer (lambda (prompt &rest _)
                   (or (pop answers)
                       (swankd-e2e-fail "%s: the command asks %S, the document \
says nothing to type" keys prompt))))
         (choose (lambda (prompt collection &rest _)
                   (let ((choice (funcall answer prompt)))
                     (unless (test-completion choice collection)
                       (swankd-e2e-fail "%s: %S does not offer %S" keys prompt
                                        choice))
                     choice))))
    (unless (commandp command)
      (swankd-e2e-fail "%s: %S is not a command" keys command))
    (prog1 (cl-letf (((symbol-function 'read-from-minibuffer) answer)
                     ((symbol-function 'read-string) answer)
                     ((symbol-function 'read-file-name) answer)
                     ((symbol-function 'completing-read) choose))
             ;; `command-execute' sets `current-prefix-arg' for good.
             (let ((current-prefix-arg nil))
               (setq prefix-arg prefix)
               (command-execute command)))
      (when answers
        (swankd-e2e-fail "%s: the command did not ask for %S" keys answers))
      (message "  ok  %s" keys))))

(defun swankd-gs-init-file ()
  "Evaluate the init file forms of step 1; check the commands it names."
  (with-temp-buffer
    (insert (swankd-gs :init))
    (goto-char (point-min))
    (let ((form nil))
      (while (setq form (condition-case nil (read (current-buffer))
                          (end-of-file nil)))
        (eval form t))))
  ;; Step 8: with swankd.el, SLIME never asks "Versions differ" for swankd,
  ;; though swankd now reports another version than this SLIME's.  (The
  ;; harness fails on any question.)
  (setq slime-protocol-version swankd-gs-other-version)
  (dolist (command (swankd-gs :init-commands))
    (unless (commandp (intern command))
      (swankd-e2e-fail "After the init file forms, M-x %s is no command" command)))
  (message "  ok  init file forms; M-x %s"
           (string-join (swankd-gs :init-commands) ", M-x ")))

;;;; The program's output

(defun swankd-gs-output ()
  "The complete lines the program printed so far."
  (with-temp-buffer
    (insert-file-contents swankd-e2e-program-output)
    (let ((lines (split-string (buffer-string) "\n")))
      (butlast lines))))                ; a partial line, or ""

(defun swankd-gs-ticks ()
  "How many ticks the program printed so far."
  (cl-count-if (lambda (line) (string-match-p swankd-gs-tick-regexp line))
               (swankd-gs-output)))

(defun swankd-gs-last-count ()
  "The number the program printed on its last tick, or -1 before any."
  (let ((ticks (cl-remove-if-not (lambda (line)
                                   (string-match-p swankd-gs-tick-regexp line))
                                 (swankd-gs-output))))
    (if ticks
        (string-to-number (car (last (split-string (car (last ticks))
                                                   "[^0-9]+" t))))
      -1)))

(defun swankd-gs-await-ticks (count why)
  "Wait until the program printed COUNT ticks (WHY says why they matter)."
  (swankd-e2e-wait-until (format "tick %d of the program (%s)" count why)
                         (lambda () (>= (swankd-gs-ticks) count))))

(defun swankd-gs-in-order-p (expected lines)
  "Non-nil if EXPECTED occur in LINES one after the other."
  (cl-loop for tail on lines
           thereis (equal (seq-take tail (length expected)) expected)))

(defun swankd-gs-line-regexp (line)
  "A regexp for LINE of the program's output, whatever its number."
  (concat "\\`" (replace-regexp-in-string "[0-9]+" "[0-9]+" (regexp-quote line))
          "\\'"))

;;;; Steps 3 to 6

(defun swankd-gs-connect (keys)
  "Connect with KEYS; wait for the REPL; return the connection."
  (let ((connection (swankd-gs-keys keys)))
    (unless (processp connection)
      (swankd-e2e-fail "%s returned %S, not a connection" keys connection))
    (swankd-e2e-await-repl connection)))

(defun swankd-gs-counter (connection)
  "Type step 3's input at CONNECTION's REPL; return the number it shows.
The number must be what the program counts: each tick prints the
count, then adds one to it."
  (let* ((input (swankd-gs :counter-input))
         (before (max 0 (swankd-gs-last-count)))
         (transcript (swankd-e2e-repl-eval connection input))
         (after (1+ (swankd-gs-last-count)))
         (pattern (concat "\\`" (regexp-quote swankd-e2e-prompt)
                          (regexp-quote input) "\n\\([0-9]+\\)\n"
                          (regexp-quote swankd-e2e-prompt) "\\'")))
    (unless (string-match pattern transcript)
      (swankd-e2e-fail "REPL input %s shows %s, not a number" input
                       (swankd-e2e-show transcript)))
    (let ((value (string-to-number (match-string 1 transcript))))
      (unless (<= before value after)
        (swankd-e2e-fail "%s is %d, but the program counted from %d to %d meanwhile"
                         input value before after))
      (message "  ok  REPL %s => %d (the program counted to %d)" input value after)
      value)))

(defun swankd-gs-change-the-program (connection key)
  "Step 4: evaluate the document's forms in a Lisp buffer with KEY.
KEY is C-M-x (pressed on each form) or C-c C-r (on the region); nil
means typing them at the REPL."
  (let ((printed (length (swankd-gs-output))))
    (if key
        (swankd-gs-press-on-forms connection key)
      (swankd-e2e-repl-eval connection (string-trim (swankd-gs :patch)))
      (message "  ok  the forms typed at the REPL"))
    (let ((expected (swankd-gs :patch-output)))
      (swankd-e2e-wait-until
       (format "the program to print %S" expected)
       (lambda () (swankd-gs-in-order-p expected
                                        (nthcdr printed (swankd-gs-output)))))
      (message "  ok  the program printed %S" expected))))

(defun swankd-gs-press-on-forms (connection key)
  "Press KEY on the document's forms in a Lisp buffer of CONNECTION."
  (with-current-buffer (swankd-e2e-lisp-buffer connection "patch.lisp"
                                               (swankd-gs :patch))
    (pcase key
      ("C-M-x"
       (goto-char (point-min))
       (let ((forms 0))
         (while (progn (skip-chars-forward " \t\n") (not (eobp)))
           (forward-char 1)
           (swankd-e2e-echo-after connection (lambda () (swankd-e2e-press key)))
           (cl-incf forms)
           (end-of-defun))
         (message "  ok  %s on each of %d forms" key forms)))
      ("C-c C-r"
       (push-mark (point-min) t t)
       (goto-char (point-max))
       (swankd-e2e-echo-after connection (lambda () (swankd-e2e-press key)))
       (message "  ok  %s on the region" key))
      (_ (swankd-e2e-fail "Step 4 names %s, which this driver cannot press" key)))
    (kill-buffer)))

(defun swankd-gs-debug-an-error (connection)
  "Step 5: an error typed at CONNECTION's REPL, SLDB, and the key to quit."
  (let ((repl (swankd-e2e-repl-buffer connection))
        (input (swankd-gs :error-input)))
    (with-current-buffer repl
      (goto-char (point-max))
      (insert input)
      (swankd-e2e-press "RET"))
    (let ((sldb (swankd-e2e-wait-until "an SLDB buffer" #'swankd-e2e-sldb-buffer))
          (shows (append (swankd-gs :sldb-shows) '("Restarts:" "Backtrace:"))))
      (with-current-buffer sldb
        (swankd-e2e-wait-until
         (format "SLDB to show %S" shows)
         (lambda ()
           (cl-every (lambda (text)
                       (save-excursion (goto-char (point-min))
                                       (search-forward text nil t)))
                     shows)))
        (message "  ok  %s: SLDB shows %S" input shows)
        ;; The program goes on while the REPL's thread is in the debugger.
        (swankd-gs-await-ticks (1+ (swankd-gs-ticks)) "while SLDB is open")
        (swankd-e2e-press (swankd-gs :sldb-key)))
      (swankd-e2e-wait-until "SLDB to close" (lambda () (not (buffer-live-p sldb)))))
    (swankd-e2e-wait-until "the REPL to be ready again"
                           (lambda () (swankd-e2e--repl-ready-p connection)))
    (let ((aborted (swankd-gs :aborted))
          (text (swankd-e2e-repl-text connection)))
      (unless (string-match-p (replace-regexp-in-string
                               (regexp-quote (regexp-quote "..."))
                               ".*" (regexp-quote aborted) t t)
                              text)
        (swankd-e2e-fail "After %s the REPL does not say %s:\n%s"
                         (swankd-gs :sldb-key) aborted text))
      (message "  ok  %s closed SLDB; the REPL says %s"
               (swankd-gs :sldb-key) aborted))))

(defun swankd-gs-leave-and-come-back (connection reconnect counter)
  "Step 6: disconnect CONNECTION, wait, connect again with RECONNECT.
COUNTER is the counter read last.  Return the new connection."
  (let ((ticks (swankd-gs-ticks)))
    (swankd-e2e-disconnect connection
                           (lambda () (swankd-gs-keys (swankd-gs :disconnect))))
    ;; Two more ticks: the counter is then past any value read before.
    (swankd-gs-await-ticks (+ ticks 2) "after the disconnection"))
  (let* ((again (swankd-gs-connect reconnect))
         (value (swankd-gs-counter again))
         (yours (swankd-gs-line-regexp (car (swankd-gs :patch-output))))
         (last-tick (car (last (cl-remove-if-not
                                (lambda (line)
                                  (string-match-p swankd-gs-tick-regexp line))
                                (swankd-gs-output))))))
    (unless (> value counter)
      (swankd-e2e-fail "The counter was %d before leaving and is %d after"
                       counter value))
    (unless (string-match-p yours last-tick)
      (swankd-e2e-fail "dostuff is no longer the new version: the program printed %S"
                       last-tick))
    (message "  ok  still running the new dostuff (%S), counter %d after %d"
             last-tick value counter)
    again))

(defun swankd-gs-steps-3-to-6 (connect reconnect key)
  "Steps 3 to 6: connect with CONNECT, evaluate with KEY, RECONNECT."
  (let* ((connection (swankd-gs-connect connect))
         (buffer (buffer-name (swankd-e2e-repl-buffer connection))))
    (unless (equal buffer (swankd-gs :repl-buffer))
      (swankd-e2e-fail "The REPL buffer is %s, not %s" buffer
                       (swankd-gs :repl-buffer)))
    (message "  ok  the REPL buffer is %s" buffer)
    (swankd-gs-counter connection)
    (swankd-gs-change-the-program connection key)
    (swankd-gs-debug-an-error connection)
    (let ((again (swankd-gs-leave-and-come-back connection reconnect
                                                (swankd-gs-counter connection))))
      ;; Step 4's other way: the same forms at the REPL.
      (swankd-gs-change-the-program again nil))))

;;;; Step 8: swankd as the inferior Lisp

(defun swankd-gs-eval (text)
  "Evaluate the form TEXT, as \\[eval-expression] does."
  (message "  ok  %s => %S" text (eval (car (read-from-string text)) t)))

(defun swankd-gs-inferior (how &optional own-command-line)
  "Wait for the swankd that HOW started to be connected; stop it.
Check that it runs in the document's buffer, answers at the REPL, and,
with OWN-COMMAND-LINE, that swankd.el started it on an ephemeral port,
telling it SLIME's version."
  (let* ((connection (swankd-e2e-wait-until
                      (format "the REPL of the swankd %s started" how)
                      (lambda () (cl-find-if #'swankd-e2e--repl-ready-p
                                             slime-net-processes))))
         (inferior (slime-inferior-process connection))
         (command (and inferior (process-command inferior)))
         (version (member (swankd-gs :version-flag) command)))
    (unless (and inferior
                 (eq (process-buffer inferior)
                     (get-buffer (swankd-gs :inferior-buffer))))
      (swankd-e2e-fail "%s: swankd does not run in %s" how
                       (swankd-gs :inferior-buffer)))
    (unless (equal (slime-lisp-implementation-type connection) "swankd")
      (swankd-e2e-fail "%s started %s, not swankd" how
                       (slime-lisp-implementation-type connection)))
    (when own-command-line
      (unless (and (equal (cadr version) slime-version)
                   (equal (cadr (member "--port" command)) "0"))
        (swankd-e2e-fail "%s ran %S: no --port 0 and %s %s" how command
                         (swankd-gs :version-flag) slime-version)))
    (message "  ok  %s: swankd in %s, connected on port %s" how
             (buffer-name (process-buffer inferior))
             (process-contact connection :service))
    (swankd-e2e-check-repl connection "(+ 1 2)" "3\n")
    (swankd-e2e-disconnect connection)
    (delete-process inferior)
    (kill-buffer (process-buffer inferior))
    connection))

(defun swankd-gs-swankd-as-emacss-lisp ()
  "Step 8: every way it gives to start swankd from Emacs."
  (swankd-gs-inferior (swankd-gs-keys (swankd-gs :start)) t)
  (let ((keys (concat (swankd-gs :start-with-file) " RET "
                      (swankd-gs :first-file) " RET")))
    (swankd-gs-keys keys)
    (let ((connection (swankd-e2e-wait-until
                       (format "the REPL of %s" keys)
                       (lambda () (cl-find-if #'swankd-e2e--repl-ready-p
                                              slime-net-processes)))))
      (swankd-e2e-check-repl connection (swankd-gs :first-file-input)
                             (swankd-gs :first-file-value)))
    (swankd-gs-inferior keys t))
  (let ((keys (concat (swankd-gs :offer) " RET " (swankd-gs :offered) " RET")))
    (swankd-gs-keys keys)
    (swankd-gs-inferior keys t))
  (swankd-gs-eval (swankd-gs :slime-form))
  (swankd-gs-inferior (swankd-gs :slime-form) t)
  ;; Debian's SLIME put the installed Lisps in its table as it was loaded
  ;; (by strings: the init file forms renamed them by symbols).
  (let ((lisp (swankd-gs :installed-lisp)))
    (when (executable-find lisp)
      (unless (assq (intern lisp) slime-lisp-implementations)
        (swankd-e2e-fail "SLIME's table lacks %s, which is installed: %S" lisp
                         slime-lisp-implementations))
      (message "  ok  SLIME's table has %s, installed" lisp)))
  (setq slime-lisp-implementations nil)
  (swankd-gs-eval (swankd-gs :setq-form))
  (swankd-gs-keys (swankd-gs :plain-slime))
  (swankd-gs-inferior (concat (swankd-gs :plain-slime) " with swankd.el") t)
  (swankd-gs-keys (swankd-gs :customize))
  (dolist (option '("Swankd Program" "Swankd Extra Arguments"))
    (unless (save-excursion (goto-char (point-min)) (search-forward option nil t))
      (swankd-e2e-fail "%s shows no %s:\n%s" (buffer-name) option (buffer-string))))
  (message "  ok  %s offers Swankd Program and Swankd Extra Arguments" (buffer-name))
  (kill-buffer)
  (unload-feature 'swankd t)
  ;; Without swankd.el, SLIME compares versions again.
  (setq slime-protocol-version slime-version)
  (swankd-gs-keys (swankd-gs :plain-slime))
  (swankd-gs-inferior (concat (swankd-gs :plain-slime) " without swankd.el")))

;;;; The scenarios

(swankd-e2e-defscenario getting-started
  "docs/GETTING-STARTED.md, steps 3 to 6, over TCP with C-M-x."
  ;; Step 1: plain M-x slime-connect needs no init file forms.
  (when (featurep 'swankd)
    (swankd-e2e-fail "swankd.el is loaded before the init file forms"))
  (swankd-gs-steps-3-to-6 (swankd-gs :connect) (swankd-gs :reconnect)
                          (car (swankd-gs :patch-keys))))

(swankd-e2e-defscenario getting-started-unix
  "docs/GETTING-STARTED.md, step 7: steps 3 to 6 over a Unix socket, C-c C-r."
  (swankd-gs-init-file)
  (dolist (keys (swankd-gs :refused))
    (let ((count (length slime-net-processes))
          (err (condition-case err
                   (progn (swankd-gs-keys keys) nil)
                 (user-error err))))
      (unless err
        (swankd-e2e-fail "%s did not report an error" keys))
      (unless (= count (length slime-net-processes))
        (swankd-e2e-fail "%s made a connection" keys))
      (message "  ok  %s reports: %s" keys (error-message-string err))))
  (swankd-gs-steps-3-to-6 (swankd-gs :connect-unix) (swankd-gs :connect-unix)
                          (cadr (swankd-gs :patch-keys))))

(swankd-e2e-defscenario getting-started-inferior
  "docs/GETTING-STARTED.md, step 8: swankd as Emacs's own Lisp."
  (swankd-gs-init-file)
  (swankd-gs-swankd-as-emacss-lisp))

(provide 'swankd-gs-driver)

;;; driver.el ends here
