;;;; DEFSTRUCT: constructors, accessors with SETF, predicates, copiers, :include,
;;;; :conc-name, BOA constructors, printing and TYPE-OF, compared with SBCL.
(defstruct point x (y 0))
(defvar *p* (make-point :x 1))
(format t "~s ~s ~s~%" *p* (point-x *p*) (point-y *p*))
(setf (point-y *p*) 5)
(incf (point-x *p*))
(format t "~s ~s ~s~%" *p* (point-p *p*) (point-p 3))
(format t "~s~%" (copy-point *p*))
(defstruct (point3 (:include point) (:conc-name p3-)) (z 9))
(defvar *q* (make-point3 :x 1 :y 2))
(format t "~s ~s ~s ~s ~s~%" *q* (point-x *q*) (p3-z *q*) (point-p *q*) (typep *q* 'point))
(defstruct (pair (:constructor pair (left right))) left right)
(format t "~s ~s~%" (pair 1 2) (type-of (pair 1 2)))
