;;;; slime-macrostep (C-c M-e): expanding the macro form at point one step at a time, in
;;;; place, with the macro calls inside each expansion marked for Emacs to highlight.
;;;;
;;;; Emacs sends the form's text and its CONTEXT: the text of the enclosing top-level form
;;;; before and after it. The MACROLET and SYMBOL-MACROLET definitions around the form,
;;;; including those that enclosing macro calls expand into, are found by reading the
;;;; context with a marker in the form's place and walking to the marker; the form is then
;;;; expanded inside those definitions, through the &environment the compiler passes.

(defmacro %expansion (form &environment env)
  "Expands to the quoted list (EXPANSION EXPANDEDP) of one step of FORM's expansion in the
lexical environment where this macro call is compiled."
  (multiple-value-bind (expansion expandedp) (macroexpand-1 form env)
    `'(,expansion ,expandedp)))

(defun %enclose (wrappers form)
  "FORM inside WRAPPERS, a list of (MACROLET definitions) or (SYMBOL-MACROLET definitions)
forms, outermost first."
  (if wrappers
      (append (first wrappers) (list (%enclose (rest wrappers) form)))
      form))

(defun %expand-in (wrappers form)
  "One step of FORM's expansion inside WRAPPERS: (EXPANSION EXPANDEDP)."
  (eval (%enclose wrappers `(%expansion ,form))))

(defun %marker-wrappers (form wrappers)
  "The local-definition forms from the top of FORM down to the marker, outermost first, or
:NONE when the marker is not in FORM. Macro calls on the way are expanded first, so that
the definitions they introduce count."
  (cond ((eq form '%marker%) (reverse wrappers))
        ((atom form) :none)
        ((eq (car form) 'quote) :none)
        ((and (member (car form) '(macrolet symbol-macrolet)) (consp (cdr form)))
         (%marker-in-list (cddr form) (cons (list (car form) (cadr form)) wrappers)))
        ((symbolp (car form))
         (destructuring-bind (expansion expandedp)
             (or (ignore-errors (%expand-in (reverse wrappers) form)) '(nil nil))
           (let ((found (if expandedp (%marker-wrappers expansion wrappers) :none)))
             (if (eq found :none)
                 (%marker-in-list form wrappers)
                 found))))
        (t (%marker-in-list form wrappers))))

(defun %marker-in-list (forms wrappers)
  (loop for tail = forms then (cdr tail)
        while (consp tail)
        do (let ((found (%marker-wrappers (car tail) wrappers)))
             (unless (eq found :none) (return found)))
        finally (return (if (and tail (atom tail))
                            (%marker-wrappers tail wrappers)
                            :none))))

(defun %context-wrappers (context)
  "The local definitions around the form whose enclosing text is CONTEXT, (BEFORE AFTER);
none when the context cannot be read (it may hold #<...>)."
  (when (and (consp context) (stringp (first context)) (stringp (second context)))
    (let ((form (ignore-errors
                 (read-from-string
                  (concatenate 'string (first context) " swank-macrostep::%marker% "
                               (second context))))))
      (let ((found (and form (%marker-wrappers form '()))))
        (if (listp found) found nil)))))

(defun %local-macro-names (wrappers)
  (loop for wrapper in wrappers
        when (eq (first wrapper) 'macrolet)
          append (mapcar #'first (second wrapper))))

(defun %macro-call-type (form local-names)
  "Whether FORM calls a macro (:MACRO), a function with a compiler macro (:COMPILER-MACRO),
or neither (NIL)."
  (when (and (consp form) (symbolp (car form)))
    (cond ((or (member (car form) local-names) (macro-function (car form))) :macro)
          ((compiler-macro-function (car form)) :compiler-macro))))

(defun %macro-forms (form local-names)
  "The macro and compiler-macro calls in FORM's evaluated positions (and in their
arguments), as the code walker meets them: (FORM . TYPE) each."
  (let ((found '()))
    (labels ((walk (form)
               (when (consp form)
                 (let ((head (car form)))
                   (cond ((eq head 'quote))
                         ((eq head 'function)
                          (let ((f (cadr form)))
                            (when (and (consp f) (eq (car f) 'lambda))
                              (walk-list (cddr f)))))
                         ((member head '(let let*))
                          (dolist (binding (and (listp (cadr form)) (cadr form)))
                            (when (consp binding) (walk (cadr binding))))
                          (walk-list (cddr form)))
                         ((member head '(flet labels macrolet))
                          (dolist (definition (and (listp (cadr form)) (cadr form)))
                            (when (consp definition) (walk-list (cddr definition))))
                          (walk-list (cddr form)))
                         ((member head '(block return-from eval-when the catch))
                          (walk-list (cddr form)))
                         (t
                          (let ((type (%macro-call-type form local-names)))
                            (when type (push (cons form type) found)))
                          (walk-list (if (and (consp head) (eq (car head) 'lambda))
                                         form
                                         (cdr form))))))))
             (walk-list (forms)
               (loop for tail = forms then (cdr tail)
                     while (consp tail)
                     do (walk (car tail)))))
      (walk form))
    (nreverse found)))

(defun %print-tracking (object targets)
  "OBJECT printed as PRIN1 prints it, and the character position of each of TARGETS (conses
within it, by identity) in that text, as an alist."
  (let ((position 0) (positions '()))
    (values
     (with-output-to-string (out)
       (labels ((emit (text)
                  (write-string text out)
                  (incf position (length text)))
                (walk (x)
                  (let ((printed (prin1-to-string x)))
                    (if (or (atom x) (not (char= (char printed 0) #\()))
                        (emit printed)
                        (progn
                          (when (member x targets :test #'eq)
                            (push (cons x position) positions))
                          (emit "(")
                          (loop for tail on x
                                for first = t then nil
                                do (unless first (emit " "))
                                   (walk (car tail))
                                   (when (and (cdr tail) (atom (cdr tail)))
                                     (emit " . ")
                                     (walk (cdr tail))))
                          (emit ")"))))))
         (walk object)))
     positions)))

(defun %expand-once (form compiler-macros? wrappers)
  "One step of FORM's expansion where WRAPPERS hold: by a macro, or else (when
COMPILER-MACROS?) by a compiler macro. (EXPANSION NIL) or (NIL error-text)."
  (destructuring-bind (expansion expandedp) (%expand-in wrappers form)
    (cond (expandedp (list expansion nil))
          ((not compiler-macros?) (list nil "Not a macro form"))
          (t (let* ((expander (and (consp form) (compiler-macro-function (car form))))
                    (expansion (if expander (funcall expander form nil) form)))
               (if (eq expansion form)
                   (list nil "Not a macro or compiler-macro form")
                   (list expansion nil)))))))

(defun macro-form-p (string compiler-macros? context)
  "Whether the form STRING holds is a macro call where it stands: (:OK :MACRO),
(:OK :COMPILER-MACRO), (:OK NIL), or (:ERROR text) when it cannot be read."
  (let ((form (handler-case (read-from-string string)
                (error (condition)
                  (return-from macro-form-p
                    (list :error (format nil "Read error: ~A" condition)))))))
    (list :ok (cond ((not (and (consp form) (symbolp (car form)))) nil)
                    ((second (ignore-errors (%expand-in (%context-wrappers context) form)))
                     :macro)
                    ((and compiler-macros? (compiler-macro-function (car form)))
                     :compiler-macro)))))

(defun macrostep-expand-1 (string compiler-macros? context)
  "One step of the expansion of the form STRING holds, where it stands: (:OK text
MACRO-FORMS), each of MACRO-FORMS (\"NAME\" :MACRO position) locating a macro call in the
text, or (:ERROR text)."
  (handler-case
      (let* ((form (read-from-string string))
             (wrappers (%context-wrappers context)))
        (destructuring-bind (expansion error) (%expand-once form compiler-macros? wrappers)
          (if error
              (list :error error)
              (let ((*print-case* :upcase)
                    (*print-readably* nil)
                    (macro-forms (%macro-forms expansion (%local-macro-names wrappers))))
                (multiple-value-bind (text positions)
                    (%print-tracking expansion (mapcar #'car macro-forms))
                  (list :ok text
                        (loop for (form . type) in macro-forms
                              for position = (cdr (assoc form positions :test #'eq))
                              when position
                                collect (list (prin1-to-string (car form)) type
                                              position))))))))
    (error (condition)
      (list :error (princ-to-string condition)))))
