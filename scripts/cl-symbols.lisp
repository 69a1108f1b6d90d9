;;;; Prints the names of the symbols COMMON-LISP exports, one per line, sorted: the 978
;;;; symbols of the standard, as SBCL has them. swankd's COMMON-LISP package exports all of
;;;; them (src/lisp/cl_symbols.txt), defined or not. Regenerate with:
;;;;
;;;;   sbcl --script scripts/cl-symbols.lisp > src/lisp/cl_symbols.txt
(let ((names '()))
  (do-external-symbols (symbol :common-lisp)
    (push (symbol-name symbol) names))
  (format t "~{~a~%~}" (sort names #'string<)))
