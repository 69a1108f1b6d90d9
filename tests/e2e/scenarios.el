;;; scenarios.el --- What a SLIME user sees, checked end to end  -*- lexical-binding: t -*-

;;; Commentary:

;; The scenarios run by harness.el (see its Commentary for the command
;; line).  Each one connects a real Emacs + SLIME (slime-fancy) to the
;; server under test and checks the text a user would see.  They are
;; written against SBCL's swank, the oracle; swankd must show the same.
;;
;; Each scenario starts with no connection; the harness closes whatever a
;; scenario leaves open.  Scenarios may share one server (a run naming
;; several), so they only define variables with names of their own.

;;; Code:

(require 'swankd-e2e-harness (expand-file-name "harness.el"
                                               (file-name-directory
                                                (or load-file-name
                                                    byte-compile-current-file
                                                    buffer-file-name))))
(require 'slime-trace-dialog)

(defconst swankd-e2e-plus-1-2-echo "=> 3 (2 bits, #x3, #o3, #b11)"
  "What the echo area shows after evaluating (+ 1 2) from a source buffer.")

(defun swankd-e2e-check-basic-repl (connection)
  "Check that CONNECTION's REPL evaluates a sum and a multibyte string."
  (swankd-e2e-check-repl connection "(+ 1 2)" "3\n")
  (swankd-e2e-check-repl connection "(format nil \"héllo ☃\")"
                         "\"héllo ☃\"\n"))

(swankd-e2e-defscenario connect
  "M-x slime-connect with slime-fancy: a REPL buffer with the CL-USER prompt."
  (let* ((count swankd-e2e--message-count)
         (connection (swankd-e2e-connect))
         (buffer (swankd-e2e-repl-buffer connection))
         (expected (concat "; SLIME " slime-version "\n" swankd-e2e-prompt)))
    (unless (string-prefix-p "*slime-repl " (buffer-name buffer))
      (swankd-e2e-fail "Unexpected REPL buffer name %S" (buffer-name buffer)))
    (unless (equal (swankd-e2e-repl-text connection) expected)
      (swankd-e2e-fail "REPL buffer\n  expected: %s\n  got:      %s"
                       (swankd-e2e-show expected)
                       (swankd-e2e-show (swankd-e2e-repl-text connection))))
    (message "  ok  %s shows %s" (buffer-name buffer) (swankd-e2e-show expected))
    (unless (cl-some (lambda (m) (string-prefix-p "Connected." m))
                     (swankd-e2e-messages-since count))
      (swankd-e2e-fail "No \"Connected.\" message; messages: %s"
                       (swankd-e2e-show (swankd-e2e-messages-since count))))
    (message "  ok  \"Connected.\" shown")
    (unless (equal (slime-lisp-package connection) "COMMON-LISP-USER")
      (swankd-e2e-fail "REPL package is %S, not \"COMMON-LISP-USER\""
                       (slime-lisp-package connection)))
    (message "  ok  REPL package COMMON-LISP-USER")))

(swankd-e2e-defscenario repl
  "REPL: results, output, values, defvar, strings, FORMAT, WRITE.
Also character names, condition reports and hash tables."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(+ 1 2)" "3\n")
    (swankd-e2e-check-repl connection "(princ \"hi\")" "hi\n\"hi\"\n")
    (swankd-e2e-check-repl connection "(values 1 2)" "1\n2\n")
    (swankd-e2e-check-repl connection "(defvar *x* 10)" "*X*\n")
    (swankd-e2e-check-repl connection "*x*" "10\n")
    (swankd-e2e-check-repl connection "(format nil \"héllo ☃\")"
                           "\"héllo ☃\"\n")
    (swankd-e2e-check-repl connection
                           "(format nil \"~10<~a~;~a~>|~,0f|~e\" 'ab 'cd 2.5 12345.678)"
                           "\"AB      CD|3.|1.23456776e+4\"\n")
    (swankd-e2e-check-repl connection "(write-to-string 255 :base 16 :radix t)"
                           "\"#xFF\"\n")
    (swankd-e2e-check-repl connection
                           "(list (prin1-to-string #\\λ) (logxor 5 3) (ash -5 -1))"
                           "(\"#\\\\GREEK_SMALL_LETTER_LAMDA\" 6 -3)\n")
    (swankd-e2e-check-repl connection
                           "(handler-case (error (copy-seq \"bad ~F\")) (simple-error (c) (list (simple-condition-format-control c) (handler-case (princ-to-string c) (error () :report-fails)))))"
                           "(\"bad ~F\" :REPORT-FAILS)\n")
    (swankd-e2e-check-repl connection
                           "(let ((h (make-hash-table))) (dotimes (i 1000) (setf (gethash (ash i 20) h) i)) (list (gethash (ash 999 20) h) (hash-table-count h)))"
                           "(999 1000)\n")))

(swankd-e2e-defscenario eval-last-expression
  "C-x C-e and C-c : on (+ 1 2) show the value in the echo area."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-echo "C-x C-e after (+ 1 2)"
                           (swankd-e2e-eval-last-expression connection
                                                            "(+ 1 2)")
                           swankd-e2e-plus-1-2-echo)
    (swankd-e2e-check-echo "slime-interactive-eval of (+ 1 2)"
                           (swankd-e2e-interactive-eval connection "(+ 1 2)")
                           swankd-e2e-plus-1-2-echo)))

(swankd-e2e-defscenario two-connections
  "Two connections at once: each has its own REPL, both share one image."
  (let* ((first (swankd-e2e-connect))
         (second (swankd-e2e-connect))
         (first-buffer (swankd-e2e-repl-buffer first))
         (second-buffer (swankd-e2e-repl-buffer second)))
    (when (eq first-buffer second-buffer)
      (swankd-e2e-fail "Both connections use the REPL buffer %s" first-buffer))
    (message "  ok  two REPLs: %s and %s"
             (buffer-name first-buffer) (buffer-name second-buffer))
    (swankd-e2e-check-repl first "(defparameter *e2e-shared* 41)"
                           "*E2E-SHARED*\n")
    (swankd-e2e-check-repl second "(1+ *e2e-shared*)" "42\n")
    (swankd-e2e-check-repl first "(+ 1 2)" "3\n")
    (swankd-e2e-check-echo "C-x C-e on the second connection"
                           (swankd-e2e-eval-last-expression second "(+ 1 2)")
                           swankd-e2e-plus-1-2-echo)
    (swankd-e2e-disconnect first)
    (message "  ok  first connection closed")
    (swankd-e2e-check-repl second "(* 6 7)" "42\n")))

(swankd-e2e-defscenario reconnect
  "Disconnect, connect again: evaluation works and the image kept its state."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(defvar *e2e-survivor* 7)"
                           "*E2E-SURVIVOR*\n")
    (swankd-e2e-disconnect connection)
    (message "  ok  disconnected")
    (let ((again (swankd-e2e-connect)))
      (when (eq again connection)
        (swankd-e2e-fail "Reconnecting returned the closed connection"))
      (message "  ok  reconnected")
      (swankd-e2e-check-repl again "*e2e-survivor*" "7\n")
      (swankd-e2e-check-repl again "(+ 1 2)" "3\n")
      (swankd-e2e-check-echo "C-x C-e after reconnecting"
                             (swankd-e2e-eval-last-expression again "(+ 1 2)")
                             swankd-e2e-plus-1-2-echo))))

(swankd-e2e-defscenario unix-socket
  "The REPL and C-x C-e over a Unix socket (needs --unix)."
  (let ((connection (swankd-e2e-connect-unix)))
    (unless (eq (process-type connection) 'network)
      (swankd-e2e-fail "%s is not a network process" connection))
    (unless (eq (plist-get (process-contact connection t) :family) 'local)
      (swankd-e2e-fail "%s is not a Unix socket: %S" connection
                       (process-contact connection t)))
    (message "  ok  connected over %s" swankd-e2e-unix-socket)
    (unless (equal (swankd-e2e-repl-text connection)
                   (concat "; SLIME " slime-version "\n" swankd-e2e-prompt))
      (swankd-e2e-fail "REPL buffer shows %s"
                       (swankd-e2e-show (swankd-e2e-repl-text connection))))
    (swankd-e2e-check-basic-repl connection)
    (swankd-e2e-check-echo "C-x C-e over the Unix socket"
                           (swankd-e2e-eval-last-expression connection
                                                            "(+ 1 2)")
                           swankd-e2e-plus-1-2-echo)))

;;;; A whole program: examples/demo.lisp

(defconst swankd-e2e-tick-regexp "^\\(hello\\|goodbye\\) world [0-9]+!$"
  "A line examples/demo.lisp prints on each tick.")

(defconst swankd-e2e-demo-patch
  "(defun dostuff ()
  (format t \"goodbye world ~a!~%\" *counter*))
(setf *counter* 0)
"
  "What the user sends to the running demo with C-c C-r.")

(swankd-e2e-defscenario live-program
  "examples/demo.lisp ticks on while C-c C-r redefines dostuff, resets *counter*."
  (let ((connection (swankd-e2e-connect)))
    (let ((transcript (swankd-e2e-repl-eval connection "*counter*")))
      (unless (string-match "\\*counter\\*\n\\([0-9]+\\)\n" transcript)
        (swankd-e2e-fail "*counter* is not a number: %s" (swankd-e2e-show transcript)))
      (message "  ok  *counter* => %s" (match-string 1 transcript)))
    (with-current-buffer (swankd-e2e-lisp-buffer connection "patch.lisp"
                                                 swankd-e2e-demo-patch)
      (swankd-e2e-echo-after connection
                             (lambda () (slime-eval-region (point-min) (point-max))))
      (kill-buffer))
    (message "  ok  C-c C-r on the new dostuff and (setf *counter* 0)")
    (swankd-e2e-wait-until
     "the program to print \"goodbye world 1!\""
     (lambda () (member "goodbye world 1!"
                        (swankd-e2e-program-lines swankd-e2e-tick-regexp))))
    (let* ((ticks (swankd-e2e-program-lines swankd-e2e-tick-regexp))
           (since-reset (member "goodbye world 0!" ticks)))
      (unless (equal (seq-take since-reset 2)
                     '("goodbye world 0!" "goodbye world 1!"))
        (swankd-e2e-fail "After the patch the program printed %s"
                         (swankd-e2e-show ticks)))
      (unless (string-prefix-p "hello world" (car ticks))
        (swankd-e2e-fail "The program did not tick before the patch: %s"
                         (swankd-e2e-show ticks)))
      (message "  ok  ticks went from %S to %S and on"
               (car ticks) (car since-reset)))
    (swankd-e2e-check-repl connection "(< *counter* 10)" "T\n")))

;;;; A whole program keeping its state in objects: examples/accounts.lisp

(defconst swankd-e2e-accounts-regexp "^accounts: .*$"
  "A line examples/accounts.lisp prints on each tick.")

(defconst swankd-e2e-accounts-patch
  "(defclass account ()
  ((owner :initarg :owner :reader owner)
   (balance :initarg :balance :accessor balance)
   (currency :initarg :currency :initform :eur :accessor currency)))
(defmethod update-instance-for-redefined-class :after
    ((account account) added discarded plist &key)
  (declare (ignore added discarded plist))
  (when (string= (owner account) \"bob\") (setf (currency account) :usd)))
(defmethod describe-account ((account account))
  (format nil \"~a=~a~a\" (owner account) (balance account) (currency account)))
"
  "The class change the user sends to the running accounts program with C-c C-r.")

(defun swankd-e2e-account-balances (line)
  "The balances in an accounts LINE, as numbers."
  (let ((balances nil) (start 0))
    (while (string-match "=\\([0-9]+\\)" line start)
      (push (string-to-number (match-string 1 line)) balances)
      (setq start (match-end 0)))
    (nreverse balances)))

(swankd-e2e-defscenario live-class-change
  "examples/accounts.lisp ticks on.
Meanwhile C-c C-r adds a slot to its objects' class."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(length *accounts*)" "3\n")
    (with-current-buffer (swankd-e2e-lisp-buffer connection "accounts-patch.lisp"
                                                 swankd-e2e-accounts-patch)
      (swankd-e2e-echo-after connection
                             (lambda () (slime-eval-region (point-min) (point-max))))
      (kill-buffer))
    (message "  ok  C-c C-r on the new class, its migration method and describe-account")
    (swankd-e2e-wait-until
     "the program to print the accounts with their currencies"
     (lambda () (cl-some (lambda (line) (string-match-p "EUR" line))
                         (swankd-e2e-program-lines swankd-e2e-accounts-regexp))))
    (let* ((ticks (swankd-e2e-program-lines swankd-e2e-accounts-regexp))
           (before (cl-remove-if (lambda (line) (string-match-p "EUR" line)) ticks))
           (after (cl-remove-if-not (lambda (line) (string-match-p "EUR" line)) ticks))
           (last-before (car (last before)))
           (first-after (car after)))
      (unless (and last-before
                   (string-match-p "^accounts: ann=[0-9]+ bob=[0-9]+ cy=[0-9]+$" last-before))
        (swankd-e2e-fail "Before the change the program printed %s" (swankd-e2e-show ticks)))
      (unless (string-match-p "^accounts: ann=[0-9]+EUR bob=[0-9]+USD cy=[0-9]+EUR$" first-after)
        (swankd-e2e-fail "After the change the program printed %s" (swankd-e2e-show ticks)))
      (unless (equal (mapcar (lambda (n) (+ n 1))
                             (swankd-e2e-account-balances last-before))
                     (swankd-e2e-account-balances first-after))
        (swankd-e2e-fail "The balances did not carry on from %S to %S" last-before first-after))
      (message "  ok  ticks went from %S to %S" last-before first-after))
    (swankd-e2e-check-repl connection "(length *accounts*)" "3\n")
    (swankd-e2e-check-repl connection "(currency (second *accounts*))" ":USD\n")))

;;;; Compiling from source buffers

(swankd-e2e-defscenario compile-defun
  "C-c C-c on a defun: \"Compilation finished\", and the REPL can call it."
  (let ((connection (swankd-e2e-connect)))
    (with-current-buffer (swankd-e2e-lisp-buffer
                          connection "compiled.lisp"
                          "(defun e2e-compiled (x)\n  (* x 6))\n")
      (goto-char (+ (point-min) 3))
      (let ((messages (swankd-e2e-echo-after
                       connection (lambda () (swankd-e2e-press "C-c C-c")))))
        (unless (cl-some (lambda (m) (string-prefix-p "Compilation finished" m))
                         messages)
          (swankd-e2e-fail "No \"Compilation finished\" message; messages: %s"
                           (swankd-e2e-show messages))))
      (kill-buffer))
    (message "  ok  C-c C-c says Compilation finished")
    ;; The REPL shows "; processing (DEFUN E2E-COMPILED ...)" above its prompt, so the
    ;; next result starts on a fresh line.
    (swankd-e2e-check-repl connection "(e2e-compiled 7)" "\n42\n")))

;;;; The debugger

(swankd-e2e-defscenario compiler-notes
  "C-c C-r on code with problems: the notes SBCL gives, with their severities."
  (let ((connection (swankd-e2e-connect))
        (expected
         '("undefined function: COMMON-LISP-USER::E2E-NOTES-MISSING (style-warning)"
           "The function E2E-NOTES-A is called with one argument, but wants exactly two. (warning)"
           "The variable Y is defined but never used. (style-warning)"
           "undefined variable: COMMON-LISP-USER::*E2E-NOPE* (warning)")))
    (with-current-buffer (swankd-e2e-lisp-buffer
                          connection "notes.lisp"
                          (concat "(defun e2e-notes-a (x y)\n  (+ x 1))\n"
                                  "(defun e2e-notes-b ()\n  (e2e-notes-a 1)\n"
                                  "  (print *e2e-nope*)\n  (e2e-notes-missing))\n"))
      (setq slime-last-compilation-result nil)
      (slime-compile-region (point-min) (point-max))
      (let* ((result (swankd-e2e-wait-until
                      "the compilation result"
                      (lambda () slime-last-compilation-result)))
             (got (mapcar (lambda (note)
                            (format "%s (%s)" (plist-get note :message)
                                    (substring (symbol-name (plist-get note :severity)) 1)))
                          (slime-compilation-result.notes result))))
        (unless (equal (sort (copy-sequence got) #'string<)
                       (sort (copy-sequence expected) #'string<))
          (swankd-e2e-fail "compiler notes\n  expected: %s\n  got:      %s"
                           (swankd-e2e-show expected) (swankd-e2e-show got)))
        (message "  ok  %d notes: %s" (length got) (swankd-e2e-show got)))
      (kill-buffer))))

(swankd-e2e-defscenario trace-dialog
  "The trace dialog: C-c M-t on two functions, a call.
The call tree shows in C-c T."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(defun e2e-sq (x) (* x x))" "E2E-SQ\n")
    (swankd-e2e-check-repl connection
                           "(defun e2e-sum-sq (a b) (+ (e2e-sq a) (e2e-sq b)))"
                           "E2E-SUM-SQ\n")
    (with-current-buffer (swankd-e2e-lisp-buffer connection "traced.lisp"
                                                 "(e2e-sq 1) (e2e-sum-sq 1 2)")
      (dolist (name '("e2e-sq" "e2e-sum-sq"))
        (goto-char (point-min))
        (search-forward (concat "(" name))
        (backward-char 2)
        ;; The command asks "(Un)trace:" with the name at point as the default: take it.
        (cl-letf (((symbol-function 'slime-trace-query) #'identity))
          (let ((slime-buffer-connection connection))
            (slime-trace-dialog-toggle-trace))))
      (kill-buffer))
    (swankd-e2e-check-repl connection "(e2e-sum-sq 3 4)" "25\n")
    (let ((slime-buffer-connection connection)
          (slime-dispatching-connection connection))
      (slime-trace-dialog)
      (with-current-buffer (slime-trace-dialog--live-dialog)
        (slime-trace-dialog-fetch-traces)
        (let ((text (swankd-e2e-wait-until
                     "three traced calls in the dialog"
                     (lambda ()
                       (let ((text (buffer-substring-no-properties (point-min) (point-max))))
                         (and (string-match-p "25" text)
                              (string-match-p "16" text)
                              text))))))
          (dolist (expected '("e2e-sum-sq" "e2e-sq" "3" "4" "9" "16" "25"))
            (unless (string-match-p (regexp-quote expected) (downcase text))
              (swankd-e2e-fail "the dialog does not show %S:\n%s" expected text)))
          (message "  ok  the trace dialog shows the call tree"))))
    (let ((specs (let ((slime-dispatching-connection connection))
                   (slime-eval '(swank-trace-dialog:report-specs)))))
      (unless (= (length specs) 2)
        (swankd-e2e-fail "report-specs answered %s" (swankd-e2e-show specs))))))

(swankd-e2e-defscenario sldb
  "An error at the REPL opens SLDB; q returns to the REPL, which works on."
  (let* ((connection (swankd-e2e-connect))
         (repl (swankd-e2e-repl-buffer connection)))
    (swankd-e2e-type-at-repl repl "(error \"oops ~a\" (* 6 7))")
    (let ((sldb (swankd-e2e-wait-until "an SLDB buffer" #'swankd-e2e-sldb-buffer)))
      (with-current-buffer sldb
        (swankd-e2e-wait-until "the condition in SLDB"
                               (lambda ()
                                 (save-excursion
                                   (goto-char (point-min))
                                   (search-forward "oops 42" nil t))))
        (dolist (expected '("[Condition of type SIMPLE-ERROR]"
                            "Return to SLIME's top level."
                            "Backtrace:"))
          (unless (save-excursion (goto-char (point-min))
                                  (search-forward expected nil t))
            (swankd-e2e-fail "SLDB does not show %S:\n%s" expected (buffer-string))))
        (message "  ok  SLDB shows the condition, the restarts and a backtrace")
        (swankd-e2e-press "q"))
      (swankd-e2e-wait-until "SLDB to close"
                             (lambda () (not (buffer-live-p sldb))))
      (message "  ok  q closed SLDB"))
    (swankd-e2e-wait-until "the REPL to be ready again"
                           (lambda () (swankd-e2e--repl-ready-p connection)))
    (let ((text (swankd-e2e-repl-text connection)))
      (unless (string-match-p "; Evaluation aborted on #<SIMPLE-ERROR" text)
        (swankd-e2e-fail "The REPL does not say the evaluation was aborted:\n%s" text)))
    (message "  ok  the REPL says the evaluation was aborted")
    (swankd-e2e-check-repl connection "(+ 1 2)" "3\n")))

(swankd-e2e-defscenario sldb-use-value
  "Choosing USE-VALUE in SLDB asks for a form in the REPL and uses its value."
  (let* ((connection (swankd-e2e-connect))
         (repl (swankd-e2e-repl-buffer connection)))
    (swankd-e2e-type-at-repl repl "(list *e2e-never-bound* :after)")
    (let ((sldb (swankd-e2e-wait-until "an SLDB buffer" #'swankd-e2e-sldb-buffer)))
      (with-current-buffer sldb
        (swankd-e2e-wait-until "the USE-VALUE restart in SLDB"
                               (lambda ()
                                 (goto-char (point-min))
                                 (search-forward "Use specified value." nil t)))
        (beginning-of-line)
        (swankd-e2e-press "RET"))
      (message "  ok  chose USE-VALUE in SLDB"))
    ;; The prompt is output; the :read-string that puts the REPL in read mode follows it.
    ;; Input typed before would go out as a new evaluation instead of the form asked for.
    (swankd-e2e-wait-until "the REPL to read a form"
                           (lambda ()
                             (and (string-match-p "Enter a form to be evaluated: "
                                                  (swankd-e2e-repl-text connection))
                                  (buffer-local-value 'slime-repl-read-mode repl))))
    (swankd-e2e-type-at-repl repl "(+ 40 2)")
    (swankd-e2e-wait-until "the value to be used"
                           (lambda ()
                             (string-match-p "(42 :AFTER)"
                                             (swankd-e2e-repl-text connection))))
    (message "  ok  the REPL shows (42 :AFTER)")
    (swankd-e2e-wait-until "the REPL to be ready again"
                           (lambda () (swankd-e2e--repl-ready-p connection)))
    (swankd-e2e-check-repl connection "(+ 1 2)" "3\n")))

;;;; Completion, autodoc and documentation

(declare-function slime-autodoc "slime-autodoc" (&optional force-multiline))

(swankd-e2e-defscenario completion
  "C-c C-i after `(e2e-compl' completes a function defined at the REPL."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(defun e2e-compl-target (x) x)"
                           "E2E-COMPL-TARGET\n")
    (let ((completions (let ((slime-buffer-connection connection))
                         (slime-eval '(swank:simple-completions "e2e-compl"
                                                                 "COMMON-LISP-USER")))))
      (unless (equal completions '(("e2e-compl-target") "e2e-compl-target"))
        (swankd-e2e-fail "simple-completions answered %s"
                         (swankd-e2e-show completions))))
    (message "  ok  simple-completions lists e2e-compl-target")
    (with-current-buffer (swankd-e2e-lisp-buffer connection "compl.lisp" "(e2e-compl")
      (unless (eq (key-binding (kbd "C-c C-i")) 'completion-at-point)
        (swankd-e2e-fail "C-c C-i is bound to %S, not completion-at-point"
                         (key-binding (kbd "C-c C-i"))))
      (swankd-e2e-press "C-c C-i")
      (swankd-e2e-wait-until
       "the completed name in the buffer"
       (lambda () (equal (buffer-string) "(e2e-compl-target")))
      (message "  ok  C-c C-i turned (e2e-compl into %s" (buffer-string))
      (kill-buffer))))

(defun swankd-e2e-autodoc (connection text)
  "The autodoc SLIME shows with point at the end of TEXT in a Lisp buffer.
Returns (PLAIN . HIGHLIGHTED): the echo-area text and the part of it
shown with `eldoc-highlight-function-argument'."
  (with-current-buffer (swankd-e2e-lisp-buffer connection "autodoc.lisp" text)
    (prog1
        (let ((doc (swankd-e2e-wait-until
                    (format "autodoc for %S" text)
                    (lambda ()
                      (and (swankd-e2e-idle-p connection)
                           (slime-autodoc))))))
          (cons (substring-no-properties doc)
                (apply #'string
                       (cl-loop for i below (length doc)
                                for face = (get-text-property i 'face doc)
                                when (memq 'eldoc-highlight-function-argument
                                           (if (listp face) face (list face)))
                                collect (aref doc i)))))
      (kill-buffer))))

(swankd-e2e-defscenario autodoc
  "Autodoc shows an arglist with the argument at point highlighted.
For a user function, a builtin, a special operator and DEFUN."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(defun e2e-add (a b) (+ a b))" "E2E-ADD\n")
    (dolist (case '(("(e2e-add " "(e2e-add a b)" "a")
                    ("(e2e-add 1 " "(e2e-add a b)" "b")
                    ("(e2e-add 1 (e2e-add " "(e2e-add a b)" "a")
                    ;; Builtins and special operators have arglists too.
                    ("(string-upcase " "(string-upcase string &key (start 0) end)"
                     "string")
                    ("(if x " "(if test then &optional else)" "then")
                    ("(defun foo " "(defun name lambda-list &body body)"
                     "lambda-list")))
      (let ((got (swankd-e2e-autodoc connection (nth 0 case)))
            (want (cons (nth 1 case) (nth 2 case))))
        (unless (equal got want)
          (swankd-e2e-fail "autodoc for %S\n  expected: %s\n  got:      %s"
                           (nth 0 case) (swankd-e2e-show want) (swankd-e2e-show got)))
        (message "  ok  autodoc for %S shows %S, %S highlighted"
                 (nth 0 case) (car got) (cdr got))))
    (let ((arglist (let ((slime-buffer-connection connection))
                     (slime-eval '(swank:operator-arglist "e2e-add" "COMMON-LISP-USER")))))
      (unless (equal arglist "(e2e-add A B)")
        (swankd-e2e-fail "operator-arglist answered %s" (swankd-e2e-show arglist)))
      (message "  ok  operator-arglist says %s" arglist))))

(swankd-e2e-defscenario macroexpand
  "C-c RET on a macro call shows its expansion indented, as SBCL's swank prints it."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection
                           "(defmacro e2e-choose (test then else) (list 'if test then else))"
                           "E2E-CHOOSE\n")
    (with-current-buffer (swankd-e2e-lisp-buffer connection "expand.lisp"
                                                 "(e2e-choose (> a b) (print a) (print b))")
      (goto-char (point-min))
      (unless (eq (key-binding (kbd "C-c RET")) 'slime-expand-1)
        (swankd-e2e-fail "C-c RET is bound to %S, not slime-expand-1"
                         (key-binding (kbd "C-c RET"))))
      (swankd-e2e-press "C-c RET")
      (swankd-e2e-wait-until "the reply to swank-expand-1"
                             (lambda () (swankd-e2e-idle-p connection)))
      (kill-buffer))
    (let ((expected "(IF (> A B)\n    (PRINT A)\n    (PRINT B))")
          (text (swankd-e2e-wait-until
                 "the *slime-macroexpansion* buffer"
                 (lambda ()
                   (let ((buffer (get-buffer "*slime-macroexpansion*")))
                     (and buffer
                          (with-current-buffer buffer
                            (and (> (buffer-size) 0)
                                 (buffer-substring-no-properties
                                  (point-min) (point-max))))))))))
      (unless (equal text expected)
        (swankd-e2e-fail "*slime-macroexpansion* shows %s, not %s"
                         (swankd-e2e-show text) (swankd-e2e-show expected)))
      (message "  ok  the expansion is indented"))))

(swankd-e2e-defscenario describe
  "C-c C-d d on a documented function shows its docstring in *slime-description*."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection
                           "(defun e2e-doc (x) \"Doubles X, documented.\" (* 2 x))"
                           "E2E-DOC\n")
    (with-current-buffer (swankd-e2e-lisp-buffer connection "doc.lisp" "(e2e-doc 1)")
      (goto-char (+ (point-min) 3))
      (unless (eq (key-binding (kbd "C-c C-d d")) 'slime-describe-symbol)
        (swankd-e2e-fail "C-c C-d d is bound to %S, not slime-describe-symbol"
                         (key-binding (kbd "C-c C-d d"))))
      (cl-letf (((symbol-function 'slime-read-symbol-name)
                 (lambda (&rest _) (slime-symbol-at-point))))
        (swankd-e2e-press "C-c C-d d"))
      ;; The reply is shown from this buffer: it must live until then.
      (swankd-e2e-wait-until "the reply to describe-symbol"
                             (lambda () (swankd-e2e-idle-p connection)))
      (kill-buffer))
    (let ((text (swankd-e2e-wait-until
                 "the *slime-description* buffer"
                 (lambda ()
                   (let ((buffer (get-buffer "*slime-description*")))
                     (and buffer
                          (with-current-buffer buffer
                            (and (> (buffer-size) 0)
                                 (buffer-substring-no-properties
                                  (point-min) (point-max))))))))))
      (dolist (expected '("E2E-DOC" "Doubles X, documented."))
        (unless (string-match-p (regexp-quote expected) text)
          (swankd-e2e-fail "*slime-description* does not show %S:\n%s" expected text)))
      (message "  ok  the description shows the docstring"))))

;;;; Frames in the debugger

(swankd-e2e-defscenario sldb-frame
  "In SLDB, t on a frame shows its locals and e evaluates with them."
  (let* ((connection (swankd-e2e-connect))
         (repl (swankd-e2e-repl-buffer connection)))
    (swankd-e2e-check-repl
     connection
     "(defun e2e-frame-fails (x) (let ((y (* x 2))) (error \"frame ~a\" y) y))"
     "E2E-FRAME-FAILS\n")
    (swankd-e2e-type-at-repl repl "(e2e-frame-fails 21)")
    (let ((sldb (swankd-e2e-wait-until "an SLDB buffer" #'swankd-e2e-sldb-buffer)))
      (with-current-buffer sldb
        (swankd-e2e-wait-until "the frame of E2E-FRAME-FAILS"
                               (lambda ()
                                 (save-excursion
                                   (goto-char (point-min))
                                   (re-search-forward "^ *[0-9]+: (E2E-FRAME-FAILS 21)" nil t))))
        (goto-char (point-min))
        (re-search-forward "^ *\\([0-9]+\\): (E2E-FRAME-FAILS 21)")
        (let ((frame (string-to-number (match-string 1))))
          (beginning-of-line)
          ;; Batch Emacs never redisplays, so nothing counts as visible in a window;
          ;; SLDB asserts that the frame line is.
          (cl-letf (((symbol-function 'pos-visible-in-window-p) (lambda (&rest _) t)))
            (sldb-toggle-details))
          (swankd-e2e-wait-until "the frame's locals"
                                 (lambda ()
                                   (save-excursion
                                     (goto-char (point-min))
                                     (re-search-forward "^ +X = 21$" nil t))))
          (message "  ok  t shows X = 21")
          ;; The REPL request stays pending while SLDB is open: wait for the message.
          (let ((count swankd-e2e--message-count))
            (sldb-eval-in-frame frame "(* x 3)" "COMMON-LISP-USER")
            (swankd-e2e-wait-until "the echo area after e"
                                   (lambda () (swankd-e2e-messages-since count)))
            (swankd-e2e-check-echo "e (* x 3) in the frame"
                                   (swankd-e2e-messages-since count)
                                   "=> 63 (6 bits, #x3F, #o77, #b111111)")))
        (swankd-e2e-press "q"))
      (swankd-e2e-wait-until "SLDB to close" (lambda () (not (buffer-live-p sldb)))))
    (swankd-e2e-wait-until "the REPL to be ready again"
                           (lambda () (swankd-e2e--repl-ready-p connection)))
    (swankd-e2e-check-repl connection "(+ 1 2)" "3\n")))

;;;; Finding definitions

(swankd-e2e-defscenario find-definition
  "C-c C-k on a file, then M-. on a name there: Emacs shows its defun."
  (let* ((connection (swankd-e2e-connect))
         (file (expand-file-name "e2e-defs.lisp" (make-temp-file "swankd-e2e-defs" t))))
    (with-temp-file file
      (insert "(defvar *e2e-def-var* 1)\n\n(defun e2e-def-target (x)\n  (* x 2))\n"))
    (let ((buffer (find-file-noselect file)))
      (with-current-buffer buffer
        (lisp-mode)
        (setq-local slime-buffer-connection connection)
        (swankd-e2e-echo-after connection #'slime-compile-and-load-file))
      (swankd-e2e-wait-until "the file to be loaded"
                             (lambda () (swankd-e2e-idle-p connection)))
      (message "  ok  C-c C-k loaded %s" (file-name-nondirectory file))
      (with-current-buffer (swankd-e2e-lisp-buffer connection "caller.lisp"
                                                   "(e2e-def-target 1)")
        (switch-to-buffer (current-buffer))
        (slime-edit-definition "e2e-def-target"))
      (swankd-e2e-wait-until
       "M-. to show the definition"
       (lambda ()
         (with-current-buffer (window-buffer (selected-window))
           (and (eq (current-buffer) buffer)
                (looking-at-p "(defun e2e-def-target")))))
      (message "  ok  M-. shows (defun e2e-def-target ...) in %s"
               (file-name-nondirectory file)))))

;;;; Cross references

(swankd-e2e-defscenario who-calls
  "C-c C-k on a file, then C-c C-w c: the xref buffer lists the caller."
  (let* ((connection (swankd-e2e-connect))
         (file (expand-file-name "e2e-xref.lisp" (make-temp-file "swankd-e2e-xref" t))))
    (with-temp-file file
      (insert "(defun e2e-xref-callee (x) (* x 2))\n\n"
              "(defun e2e-xref-caller () (e2e-xref-callee 21))\n"))
    (with-current-buffer (find-file-noselect file)
      (lisp-mode)
      (setq-local slime-buffer-connection connection)
      (swankd-e2e-echo-after connection #'slime-compile-and-load-file)
      (swankd-e2e-wait-until "the file to be loaded"
                             (lambda () (swankd-e2e-idle-p connection)))
      (slime-who-calls "e2e-xref-callee"))
    (let ((xref (swankd-e2e-wait-until
                 "the xref buffer"
                 (lambda ()
                   (cl-find-if (lambda (b)
                                 (and (string-match-p "xref" (buffer-name b))
                                      (with-current-buffer b
                                        (save-excursion
                                          (goto-char (point-min))
                                          (search-forward "E2E-XREF-CALLER" nil t)))))
                               (buffer-list))))))
      (message "  ok  %s lists E2E-XREF-CALLER" (buffer-name xref)))))

;;;; Generic functions

(swankd-e2e-defscenario find-methods
  "C-c C-k on a file with a generic function, then M-. on it.
Emacs lists every method."
  (let* ((connection (swankd-e2e-connect))
         (file (expand-file-name "e2e-shapes.lisp" (make-temp-file "swankd-e2e-shapes" t)))
         (labels '("(DEFGENERIC E2E-AREA (SHAPE))" "(DEFMETHOD E2E-AREA E2E-CIRCLE)"
                   "(DEFMETHOD E2E-AREA :BEFORE E2E-CIRCLE)")))
    (with-temp-file file
      (insert "(defclass e2e-circle () ((r :initarg :r :reader e2e-r)))\n\n"
              "(defgeneric e2e-area (shape))\n\n"
              "(defmethod e2e-area ((c e2e-circle))\n  (* 3 (e2e-r c) (e2e-r c)))\n\n"
              "(defmethod e2e-area :before ((c e2e-circle))\n  nil)\n"))
    (with-current-buffer (find-file-noselect file)
      (lisp-mode)
      (setq-local slime-buffer-connection connection)
      (swankd-e2e-echo-after connection #'slime-compile-and-load-file))
    (swankd-e2e-wait-until "the file to be loaded"
                           (lambda () (swankd-e2e-idle-p connection)))
    (message "  ok  C-c C-k loaded %s" (file-name-nondirectory file))
    (with-current-buffer (swankd-e2e-lisp-buffer connection "caller.lisp" "(e2e-area nil)")
      (switch-to-buffer (current-buffer))
      (slime-edit-definition "e2e-area"))
    (let ((listing (swankd-e2e-wait-until
                    "the list of definitions"
                    (lambda ()
                      (cl-find-if (lambda (b)
                                    (and (not (buffer-file-name b))
                                         (with-current-buffer b
                                           (save-excursion
                                             (goto-char (point-min))
                                             (search-forward "(DEFMETHOD E2E-AREA" nil t)))))
                                  (buffer-list))))))
      (with-current-buffer listing
        (dolist (label labels)
          (unless (save-excursion (goto-char (point-min)) (search-forward label nil t))
            (swankd-e2e-fail "%s does not list %s:\n%s" (buffer-name) label (buffer-string)))))
      (message "  ok  %s lists %s" (buffer-name listing) (mapconcat #'identity labels ", ")))))

;;;; A program thread that failed with nobody connected (swankd only)

(swankd-e2e-defscenario parked-thread
  "A ticking program failed before anyone connected: SLDB shows it, fix, r."
  (let ((connection (swankd-e2e-connect)))
    (let ((sldb (swankd-e2e-wait-until "the parked thread's SLDB"
                                       #'swankd-e2e-sldb-buffer)))
      (with-current-buffer sldb
        (swankd-e2e-wait-until "the condition in SLDB"
                               (lambda ()
                                 (save-excursion
                                   (goto-char (point-min))
                                   (search-forward "tick 3 failed" nil t)))))
      (message "  ok  SLDB shows the error that parked the program's thread")
      (swankd-e2e-check-echo
       "redefining work while the thread is parked"
       (swankd-e2e-interactive-eval
        connection "(defun work () (format t \"fixed ~a~%\" *n*))")
       "=> WORK")
      (with-current-buffer sldb
        (goto-char (point-min))
        (unless (re-search-forward "^ *0: (WORK)" nil t)
          (swankd-e2e-fail "No frame (WORK) in SLDB:\n%s" (buffer-string)))
        (beginning-of-line)
        (sldb-restart-frame))
      (swankd-e2e-wait-until "SLDB to close" (lambda () (not (buffer-live-p sldb))))
      (message "  ok  r on the frame closed SLDB"))
    (swankd-e2e-wait-until
     "the program to print \"fixed 5\""
     (lambda () (member "fixed 5"
                        (swankd-e2e-program-lines "^\\(tick\\|fixed\\) [0-9]+$"))))
    (let ((lines (swankd-e2e-program-lines "^\\(tick\\|fixed\\) [0-9]+$")))
      (unless (equal (seq-take lines 6)
                     '("tick 0" "tick 1" "tick 2" "fixed 3" "fixed 4" "fixed 5"))
        (swankd-e2e-fail "The program printed %s" (swankd-e2e-show lines))))
    (message "  ok  the loop went on with the new work: tick 2, then fixed 3")))

;;;; A program that serves TCP clients

(defconst swankd-e2e-echo-patch
  "(defun reply (line)
  (format nil \"~a!\" (string-upcase line)))
"
  "What the user sends to the running echo server with C-c C-r.")

(swankd-e2e-defscenario live-server
  "examples/echo-server.lisp serves the test's TCP clients.
Meanwhile C-c C-r redefines reply."
  (let ((connection (swankd-e2e-connect)))
    (swankd-e2e-check-repl connection "(reply \"x\")" "\"echo: x\"\n")
    (with-current-buffer (swankd-e2e-lisp-buffer connection "patch.lisp"
                                                 swankd-e2e-echo-patch)
      (swankd-e2e-echo-after connection
                             (lambda () (slime-eval-region (point-min) (point-max))))
      (kill-buffer))
    (message "  ok  C-c C-r on the new reply")
    (swankd-e2e-check-repl connection "(reply \"x\")" "\"X!\"\n")))

(provide 'swankd-e2e-scenarios)

;;; scenarios.el ends here
