;;;; The corpus's CHECK macro, loaded by every tests/programs/corpus-*.lisp.
;;;;
;;;; (check FORM) evaluates FORM and prints one line: FORM, then ` => ` and its values
;;;; separated by ` ; `, or ` !! ` and the class of the error it signalled (the first of
;;;; *CORPUS-ERROR-TYPES* it is of: SBCL's and swankd's messages differ, their standard
;;;; condition types do not), then ` >> ` and what FORM wrote to *STANDARD-OUTPUT*, if
;;;; anything. Conses in the form and the values are written by CORPUS-WRITE, atoms by
;;;; PRIN1, so that the line shows the data itself, not the printer's abbreviations
;;;; ('X, #'F) or line breaks. Newlines print as \n: each check stays on one line.

(setf *print-pretty* nil)

(defparameter *corpus-error-types*
  '(undefined-function unbound-variable type-error division-by-zero program-error
    control-error package-error arithmetic-error simple-error error))

(defun corpus-error-class (condition)
  (dolist (type *corpus-error-types*)
    (when (typep condition type)
      (return type))))

(defun corpus-write (x out)
  (cond ((consp x)
         (write-char #\( out)
         (loop (corpus-write (car x) out)
               (setf x (cdr x))
               (cond ((null x) (return))
                     ((atom x) (write-string " . " out) (corpus-write x out) (return))
                     (t (write-char #\Space out))))
         (write-char #\) out))
        (t (prin1 x out))))

(defun corpus-one-line (string)
  (with-output-to-string (out)
    (loop for c across string
          do (if (char= c #\Newline)
                 (write-string "\\n" out)
                 (write-char c out)))))

(defun corpus-report (form thunk)
  (let* ((values nil)
         (condition nil)
         (output (with-output-to-string (*standard-output*)
                   (handler-case (setf values (multiple-value-list (funcall thunk)))
                     (error (c) (setf condition c)))))
         (line (with-output-to-string (out)
                 (corpus-write form out)
                 (cond (condition
                        (format out " !! ~s" (corpus-error-class condition)))
                       (t
                        (write-string " =>" out)
                        (loop for tail on values
                              do (write-char #\Space out)
                                 (corpus-write (car tail) out)
                                 (when (cdr tail) (write-string " ;" out)))))
                 (when (plusp (length output))
                   (format out " >> ~s" output)))))
    (write-line (corpus-one-line line))))

(defmacro check (form)
  `(corpus-report ',form (lambda () ,form)))
