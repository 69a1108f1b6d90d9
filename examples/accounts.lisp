;;;; A running program whose state lives in objects, for changing a class under it.
;;;;
;;;;   swankd --no-tcp examples/accounts.lisp
;;;;
;;;; then M-x slime-connect RET 127.0.0.1 RET 4006 RET, and in a Lisp buffer evaluate with
;;;; C-c C-r (one unit: the ticking loop sees all three definitions at once, or none):
;;;;
;;;;   (defclass account ()
;;;;     ((owner :initarg :owner :reader owner)
;;;;      (balance :initarg :balance :accessor balance)
;;;;      (currency :initarg :currency :initform :eur :accessor currency)))
;;;;   (defmethod update-instance-for-redefined-class :after
;;;;       ((account account) added discarded plist &key)
;;;;     (declare (ignore added discarded plist))
;;;;     (when (string= (owner account) "bob") (setf (currency account) :usd)))
;;;;   (defmethod describe-account ((account account))
;;;;     (format nil "~a=~a~a" (owner account) (balance account) (currency account)))
;;;;
;;;; The next tick shows every account with its currency and its balance counted on.

(require :swank)
(require :bordeaux-threads)

(defclass account ()
  ((owner :initarg :owner :reader owner)
   (balance :initarg :balance :accessor balance)))

(defparameter *accounts*
  (list (make-instance 'account :owner "ann" :balance 100)
        (make-instance 'account :owner "bob" :balance 200)
        (make-instance 'account :owner "cy" :balance 300)))

(defgeneric describe-account (account))

(defmethod describe-account ((account account))
  (format nil "~a=~a" (owner account) (balance account)))

(defun runner ()
  (bt:make-thread (lambda ()
                    (swank:create-server :port 4006)))
  (loop while t do
    (sleep 5)
    (format t "accounts:~{ ~a~}~%" (mapcar #'describe-account *accounts*))
    (dolist (account *accounts*)
      (incf (balance account)))))

(runner)
