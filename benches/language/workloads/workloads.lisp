;;;; The language benchmark's workloads in Common Lisp, run by swankd and by SBCL's
;;;; interpreter. Each prints "NAME MILLISECONDS" per run; the harness takes the median.

(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))

(defun count-to (n) (let ((i 0)) (loop while (< i n) do (setq i (+ i 1))) i))

(defun build-and-reverse (n)
  (let ((list '()))
    (dotimes (i n) (push i list))
    (length (reverse list))))

(defun build-strings (n)
  (let ((total 0))
    (dotimes (i n)
      (setq total (+ total (length (concatenate 'string (format nil "item-~d" i) "-done")))))
    total))

(defun hash-churn (n)
  (let ((table (make-hash-table)))
    (dotimes (i n) (setf (gethash i table) (* 2 i)))
    (let ((sum 0))
      (dotimes (i n) (setq sum (+ sum (gethash i table))))
      (dotimes (i n) (remhash i table))
      (+ sum (hash-table-count table)))))

(defun sort-numbers (n)
  (let ((list '()) (seed 12345))
    (dotimes (i n)
      (setq seed (mod (+ (* seed 1103515245) 12345) 2147483648))
      (push seed list))
    (length (sort list #'<))))

(defun run (name runs function)
  (dotimes (i runs)
    (let ((start (get-internal-real-time)))
      (funcall function)
      (format t "~a ~,3f~%" name
              (/ (* 1000.0 (- (get-internal-real-time) start)) internal-time-units-per-second)))))

(defparameter *runs* 5)
(run "fib(30)" *runs* (lambda () (fib 30)))
(run "count to 10,000,000" *runs* (lambda () (count-to 10000000)))
(run "build and reverse a 1,000,000-element list" *runs* (lambda () (build-and-reverse 1000000)))
(run "100,000 strings with format and concatenate" *runs* (lambda () (build-strings 100000)))
(run "hash table: 200,000 puts, gets and removes" *runs* (lambda () (hash-churn 200000)))
(run "sort 1,000,000 fixnums" *runs* (lambda () (sort-numbers 1000000)))
