;;;; Loaded by units.lisp: a unit that takes a while between its definitions.
(defun version () 2)
(sleep 0.1)
(defparameter *setting* 2)
(defun helper () (list (version) *setting*))
