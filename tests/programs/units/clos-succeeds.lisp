;;;; Loaded by clos-units.lisp: the same changes, without the failure.
(defclass gadget () ((name :initarg :name :accessor name)
                     (colour :initform :red :accessor colour)))
(defmethod describe-gadget ((g gadget)) (list :v2 (name g) (colour g)))
(defclass sprocket (gadget) ())
