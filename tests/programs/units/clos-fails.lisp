;;;; Loaded by clos-units.lisp: changes a class and a method, adds a class, then fails.
(defclass gadget () ((name :initarg :name :accessor name)
                     (colour :initform :red :accessor colour)))
(defmethod describe-gadget ((g gadget)) (list :v2 (name g) (colour g)))
(defclass sprocket (gadget) ())
(car 5)
