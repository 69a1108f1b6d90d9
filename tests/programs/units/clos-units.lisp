;;;; A class and its methods change together or not at all (swankd only). A file that
;;;; redefines a class and a method and then fails leaves the old class, the old method and
;;;; the instances as they were; the same file without the failure installs both, and the
;;;; instances are migrated when next touched.
(defclass gadget () ((name :initarg :name :accessor name)))
(defgeneric describe-gadget (g))
(defmethod describe-gadget ((g gadget)) (list :v1 (name g)))
(defvar *g* (make-instance 'gadget :name "widget"))
(format t "before: ~s~%" (describe-gadget *g*))
(format t "failed load: ~a~%"
        (handler-case (load "clos-fails.lisp")
          (error (condition) (princ-to-string condition))))
(format t "after the failed load: ~s ~s ~s~%"
        (describe-gadget *g*) (slot-exists-p *g* 'colour) (find-class 'sprocket nil))
(load "clos-succeeds.lisp")
(format t "after the good load: ~s ~s~%" (describe-gadget *g*) (find-class 'sprocket nil))
