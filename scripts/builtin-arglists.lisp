;;;; Prints the lambda list SBCL gives every function, macro and special operator that
;;;; COMMON-LISP exports, one per line: NAME (LAMBDA-LIST). Symbols are printed without
;;;; package prefixes (SBCL's internal parameter names mean nothing elsewhere), keywords
;;;; with their colon. swankd reads the output (src/lisp/builtin_arglists.txt) to give its
;;;; builtins the arglists SLIME shows. Regenerate with:
;;;;
;;;;   sbcl --script scripts/builtin-arglists.lisp > src/lisp/builtin_arglists.txt
(require :sb-introspect)

(defun print-bare (object stream)
  (cond ((keywordp object) (format stream ":~a" (symbol-name object)))
        ((symbolp object) (write-string (symbol-name object) stream))
        ((consp object)
         (write-char #\( stream)
         (loop for (item . rest) on object
               do (print-bare item stream)
                  (cond ((null rest))
                        ((atom rest) (write-string " . " stream) (print-bare rest stream))
                        (t (write-char #\Space stream))))
         (write-char #\) stream))
        (t (let ((*package* (find-package :keyword))) (prin1 object stream)))))

(let ((names '()))
  (do-external-symbols (symbol :common-lisp)
    (when (fboundp symbol)
      (push symbol names)))
  (dolist (symbol (sort names #'string< :key #'symbol-name))
    (let ((lambda-list (sb-introspect:function-lambda-list symbol)))
      (unless (eq lambda-list :unknown)
        (write-string (symbol-name symbol))
        (write-char #\Space)
        (print-bare lambda-list *standard-output*)
        (terpri)))))
