;;;; Units of change (swankd only: SBCL's LOAD installs each form as it goes). A file that
;;;; fails half-way installs nothing; other threads never see half a unit; a nested unit
;;;; that fails is undone on its own. Run from this directory (tests/programs.rs does).
(require :bordeaux-threads)

(defun version () 1)
(defvar *setting* 1)

(format t "before: ~s ~s~%" (version) *setting*)

(format t "failed load: ~a~%"
        (handler-case (load "fails-at-the-end.lisp")
          (error (condition) (princ-to-string condition))))
(format t "after the failed load: ~s ~s ~s~%" (version) *setting* (fboundp 'helper))

(defvar *seen* nil)
(defvar *watching* t)
(let ((watcher (bt:make-thread
                (lambda ()
                  (loop while *watching*
                        do (push (list (version) *setting*) *seen*)
                           (sleep 0.005))))))
  (load "slow-but-fine.lisp")
  (sleep 0.05)
  (setf *watching* nil)
  (bt:join-thread watcher))
(format t "after the good load: ~s ~s ~s~%" (version) *setting* (helper))
(format t "the watcher saw the old state: ~s~%" (and (member '(1 1) *seen* :test #'equal) t))
(format t "the watcher saw the new state: ~s~%" (and (member '(2 2) *seen* :test #'equal) t))
(format t "the watcher saw half a unit: ~s~%" (and (member '(2 1) *seen* :test #'equal) t))

(format t "nested: ~s~%"
        (swankd::%call-as-unit
         (lambda ()
           (defun version () 3)
           (ignore-errors (load "fails-at-the-end.lisp"))
           (list (version) *setting* (helper)))))
(format t "after nested: ~s ~s~%" (version) *setting*)
