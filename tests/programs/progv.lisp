;;;; PROGV: dynamic bindings of symbols computed at run time, undone on every exit, compared
;;;; with SBCL.
(defvar *a* 1)
(defun show-a () *a*)
(format t "~s~%" (progv '(*a*) '(2) (list *a* (show-a))))
(format t "~s~%" (show-a))
(format t "~s~%" (catch 'out (progv '(*a*) '(3) (throw 'out (show-a)))))
(format t "~s~%" (show-a))
(format t "~s~%" (progv '(*b* *c*) '(1) (list (symbol-value '*b*) (boundp '*c*))))
(format t "~s~%" (boundp '*b*))
(format t "~s~%" (handler-case (progv '(*a*) '(5) (error "x")) (error () (show-a))))
(format t "~s~%" (progv '(*a*) '(6) (let ((*a* 7)) (show-a))))
