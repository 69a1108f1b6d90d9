;;;; The classic "modify a running program through Swank" program, as written for SBCL.
;;;;
;;;;   swankd --no-tcp examples/demo.lisp
;;;;
;;;; then M-x slime-connect RET 127.0.0.1 RET 4006 RET, and in a Lisp buffer evaluate
;;;; (C-c C-r on the region, or C-M-x on each form):
;;;;
;;;;   (defun dostuff ()
;;;;     (format t "goodbye world ~a!~%" *counter*))
;;;;   (setf *counter* 0)
;;;;
;;;; The next tick prints "goodbye world 0!"; the loop never stopped.

(require :swank)
(require :bordeaux-threads)

(defparameter *counter* 0)

(defun dostuff ()
  (format t "hello world ~a!~%" *counter*))

(defun runner ()
  (bt:make-thread (lambda ()
                    (swank:create-server :port 4006)))
  (format t "we are past go!~%")
  (loop while t do
    (sleep 5)
    (dostuff)
    (incf *counter*)))

(runner)
