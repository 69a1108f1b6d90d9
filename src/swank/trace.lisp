;;;; Tracing (C-c C-t, M-x slime-untrace-all, and CL's TRACE/UNTRACE): a traced function's
;;;; cell holds a wrapper that prints each call and its values on *TRACE-OUTPUT*, indented
;;;; by depth, as SBCL does ("  0: (SQ 3)", "  0: SQ returned 9"). Loaded into SWANK.

(defvar *traced* nil "Alist (NAME . ORIGINAL-FUNCTION) of the traced functions.")
(defvar *trace-depth* 0)

(defun traced-call (name original arguments)
  (let* ((depth *trace-depth*)
         (indent (make-string (* 2 (1+ depth)) :initial-element #\Space)))
    (format *trace-output* "~&~A~D: ~S~%" indent depth (cons name arguments))
    (let ((values (let ((*trace-depth* (1+ depth)))
                    (multiple-value-list (apply original arguments)))))
      (format *trace-output* "~&~A~D: ~S returned~{ ~S~}~%" indent depth name values)
      (values-list values))))

(defun trace-function (name)
  (unless (fboundp name) (error "~S is not a function: cannot trace it." name))
  (unless (assoc name *traced*)
    (let ((original (symbol-function name)))
      (swankd::%set-function name (lambda (&rest arguments) (traced-call name original arguments)))
      (push (cons name original) *traced*)))
  name)

(defun untrace-function (name)
  (let ((entry (assoc name *traced*)))
    (when entry
      (swankd::%set-function name (cdr entry))
      (setq *traced* (remove entry *traced*))
      name)))

(defun swank-toggle-trace (spec)
  "C-c C-t: trace the function SPEC names, or stop tracing it."
  (let ((name (read-from-string spec)))
    (if (assoc name *traced*)
        (progn (untrace-function name) (format nil "~S is now untraced." name))
        (progn (trace-function name) (format nil "~S is now traced." name)))))

(defun untrace-all ()
  "Stops tracing every traced function."
  (dolist (entry *traced*) (untrace-function (car entry)))
  nil)

(defmacro cl::trace (&rest names)
  "Traces the functions NAMES; with none, returns the traced ones."
  (if names
      `(progn ,@(mapcar (lambda (name) `(trace-function ',name)) names) ',names)
      '(mapcar #'car *traced*)))

(defmacro cl::untrace (&rest names)
  "Stops tracing NAMES, or every traced function with none."
  (if names
      `(progn ,@(mapcar (lambda (name) `(untrace-function ',name)) names) t)
      '(progn (untrace-all) t)))
