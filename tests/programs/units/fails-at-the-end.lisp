;;;; Loaded by units.lisp: redefines everything, then fails.
(defun version () 10)
(defparameter *setting* 10)
(defun helper () 'from-the-failed-file)
(car 5)
