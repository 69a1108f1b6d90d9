;;;; Swank RPCs written in Lisp. Loaded into the SWANK package at boot; every function it
;;;; defines in SWANK or SWANK-REPL is exported, so Emacs can call it as swank:NAME.

(defvar *eof* (make-symbol "EOF"))

(defun read-from-string-at (string position)
  "Reads the form in STRING at POSITION: (values form next-position), *EOF* at the end."
  (read-from-string string nil *eof* :start position))

(defun eval-region (string)
  "Evaluates every form in STRING; returns the values of the last as a list."
  (let ((position 0) (values nil))
    (swankd::%repeat
      (multiple-value-bind (form next) (read-from-string-at string position)
        (when (eq form *eof*) (return values))
        (setq values (multiple-value-list (eval form)))
        (setq position next)))))

(defun send-repl-results (values)
  (fresh-line)
  (swankd::%flush-output)
  (if (null values)
      (swankd::%send-to-emacs (list :write-string "; No value" :repl-result))
      (dolist (value values)
        (swankd::%send-to-emacs
         (list :write-string (concatenate 'string (prin1-to-string value) (string #\Newline))
               :repl-result)))))

(defun swank-repl::listener-eval (string &key window-width)
  (declare (ignore window-width))
  (let* ((package *package*)
         (values (eval-region string)))
    (setq *** ** ** * * (car values))
    (send-repl-results values)
    (unless (eq package *package*)
      (swankd::%send-to-emacs
       (list :new-package (package-name *package*) (swankd::%package-prompt *package*))))
    nil))

(defun swank-repl::clear-repl-variables ()
  (setq * nil ** nil *** nil)
  nil)

(defun swank-repl::create-repl (target &key coding-system)
  (declare (ignore target coding-system))
  (swankd::%repl-created)
  (list (package-name *package*) (swankd::%package-prompt *package*)))

(defun interactive-eval (string)
  (swankd::%format-values-for-echo-area (multiple-value-list (eval (read-from-string string)))))

(defun interactive-eval-region (string)
  (swankd::%format-values-for-echo-area (eval-region string)))

(defun eval-and-grab-output (string)
  (let* ((values nil)
         (output (with-output-to-string (*standard-output*)
                   (setq values (multiple-value-list (eval (read-from-string string)))))))
    (list output (format nil "~{~S~^~%~}" values))))

(defun pprint-eval (string)
  (let* ((values nil)
         (output (with-output-to-string (*standard-output*)
                   (setq values (multiple-value-list (eval (read-from-string string)))))))
    (format nil "~A~{~S~%~}" output values)))

(defun re-evaluate-defvar (form)
  (let ((form (read-from-string form)))
    (makunbound (cadr form))
    (prin1-to-string (eval form))))

(defun swank-require (modules &optional filename)
  (declare (ignore filename))
  (mapcar (lambda (module) (string-upcase (string module)))
          (if (listp modules) modules (list modules))))

(defun init-presentations ()
  (error "presentations are not supported by swankd yet; results are shown as plain text"))

(defun autodoc (raw-form &key print-right-margin)
  (declare (ignore raw-form print-right-margin))
  (list :not-available t))

(defun buffer-first-change (filename)
  (declare (ignore filename))
  nil)

(defun operator-arglist (name package)
  (declare (ignore package))
  (let ((symbol (read-from-string name nil nil)))
    (and symbol (symbolp symbol) (swankd::%arglist-string symbol))))

(defun swankd::%run-program (files forms)
  "The program's main thread: loads FILES, then evaluates the FORMS strings."
  (dolist (file files)
    (load file))
  (dolist (text forms)
    (eval-region text))
  nil)
