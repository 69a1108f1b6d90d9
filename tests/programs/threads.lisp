;;;; bordeaux-threads as programs use it. tests/programs.rs runs this under swankd and,
;;;; when installed, under SBCL with bordeaux-threads; both must print threads.expected.
(require :bordeaux-threads)

(format t "a: ~s~%" (bt:join-thread (bt:make-thread (lambda () 42))))
(format t "b: ~s~%" (bt:join-thread (bt:make-thread (lambda () (sleep 0.1) 43))))
(format t "c: ~s~%" (let ((lock (bt:make-lock)))
                      (bt:join-thread
                       (bt:make-thread (lambda () (bt:with-lock-held (lock) 44))))))

(let* ((lock (bt:make-lock))
       (ready (bt:make-condition-variable))
       (box nil)
       (waiter (bt:make-thread
                (lambda ()
                  (bt:with-lock-held (lock)
                    (loop until box do (bt:condition-wait ready lock))
                    box)))))
  (sleep 0.05)
  (bt:with-lock-held (lock)
    (setf box 'filled)
    (bt:condition-notify ready))
  (format t "d: ~s~%" (bt:join-thread waiter)))

(let ((sleeper (bt:make-thread
                (lambda () (unwind-protect (sleep 100) (format t "cleanup ran~%")))
                :name "sleeper")))
  (sleep 0.05)
  (bt:destroy-thread sleeper)
  (format t "e: ~a~%" (handler-case (bt:join-thread sleeper)
                        (error () "joining a destroyed thread is an error")))
  (format t "e: alive ~s~%" (bt:thread-alive-p sleeper)))

(let* ((hits 0)
       (worker (bt:make-thread (lambda () (loop repeat 5 do (sleep 0.02)) hits))))
  (bt:interrupt-thread worker (lambda () (incf hits)))
  (format t "f: ~s~%" (bt:join-thread worker)))

(format t "g: ~s~%" (bt:thread-name (bt:current-thread)))
(format t "g: ~s~%" (bt:thread-name (bt:make-thread (lambda () nil) :name "named")))

(let ((lock (bt:make-recursive-lock)))
  (format t "h: ~s~%" (bt:with-recursive-lock-held (lock)
                        (bt:with-recursive-lock-held (lock) 7))))

(let ((lock (bt:make-lock)))
  (bt:acquire-lock lock)
  (format t "i: ~s~%" (bt:condition-wait (bt:make-condition-variable) lock :timeout 0.05))
  (bt:release-lock lock)
  (format t "i: ~s~%" (bt:acquire-lock lock nil)))

(let* ((lock (bt:make-lock))
       (total 0)
       (workers (loop for i from 1 to 10
                      collect (let ((n i))
                                (bt:make-thread
                                 (lambda ()
                                   (dotimes (k 100)
                                     (bt:with-lock-held (lock)
                                       (let ((seen total))
                                         (bt:thread-yield)
                                         (setf total (+ seen n)))))))))))
  (mapc #'bt:join-thread workers)
  (format t "j: ~s~%" total))

(format t "k: ~s~%" (not (member (bt:current-thread) (bt:all-threads))))
