;;; workloads.el --- The language benchmark's workloads in Emacs Lisp  -*- lexical-binding: t -*-

;;; Commentary:

;; Byte-compiled before running.  Each run prints "NAME MILLISECONDS"; the harness
;; takes the median.

;;; Code:

(defun bench-fib (n) (if (< n 2) n (+ (bench-fib (- n 1)) (bench-fib (- n 2)))))

(defun bench-count-to (n) (let ((i 0)) (while (< i n) (setq i (+ i 1))) i))

(defun bench-build-and-reverse (n)
  (let ((list '()))
    (dotimes (i n) (push i list))
    (length (reverse list))))

(defun bench-build-strings (n)
  (let ((total 0))
    (dotimes (i n)
      (setq total (+ total (length (concat (format "item-%d" i) "-done")))))
    total))

(defun bench-hash-churn (n)
  (let ((table (make-hash-table)))
    (dotimes (i n) (puthash i (* 2 i) table))
    (let ((sum 0))
      (dotimes (i n) (setq sum (+ sum (gethash i table))))
      (dotimes (i n) (remhash i table))
      (+ sum (hash-table-count table)))))

(defun bench-sort-numbers (n)
  (let ((list '()) (seed 12345))
    (dotimes (_ n)
      (setq seed (mod (+ (* seed 1103515245) 12345) 2147483648))
      (push seed list))
    (length (sort list #'<))))

(defun bench-run (name runs function)
  (dotimes (_ runs)
    (let ((start (float-time)))
      (funcall function)
      (princ (format "%s %.3f\n" name (* 1000.0 (- (float-time) start)))))))

(dolist (f '(bench-fib bench-count-to bench-build-and-reverse bench-build-strings
             bench-hash-churn bench-sort-numbers bench-run))
  (byte-compile f))

(setq max-lisp-eval-depth 10000)
(let ((runs 5))
  (bench-run "fib(30)" runs (lambda () (bench-fib 30)))
  (bench-run "count to 10,000,000" runs (lambda () (bench-count-to 10000000)))
  (bench-run "build and reverse a 1,000,000-element list" runs
             (lambda () (bench-build-and-reverse 1000000)))
  (bench-run "100,000 strings with format and concatenate" runs
             (lambda () (bench-build-strings 100000)))
  (bench-run "hash table: 200,000 puts, gets and removes" runs
             (lambda () (bench-hash-churn 200000)))
  (bench-run "sort 1,000,000 fixnums" runs (lambda () (bench-sort-numbers 1000000))))

;;; workloads.el ends here
