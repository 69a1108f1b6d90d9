;;;; Time functions. tests/programs.rs runs this under swankd and, when installed, under
;;;; SBCL; both must print time.expected. Only deterministic facts are printed: fixed
;;;; times in explicit time zones, round trips, units and monotonicity.

(format t "units: ~s~%" (= internal-time-units-per-second 1000000))

(dolist (zone '(0 -1 5/2 -11/2 8 24 -24 1/3600))
  (format t "decode 3900000000 in ~s: ~s~%"
          zone (multiple-value-list (decode-universal-time 3900000000 zone))))

(dolist (time '(0 1 59 60 3599 3600 86399 86400 2208988800 2203891200 3913056000))
  (format t "decode ~s: ~s~%" time (multiple-value-list (decode-universal-time time 0))))

(format t "a week from 2024-03-04: ~s~%"
        (loop for day from 4 to 10
              collect (nth-value 6 (decode-universal-time
                                    (encode-universal-time 0 0 12 day 3 2024 0) 0))))

(format t "leap days: ~s~%"
        (loop for year in '(1900 2000 2023 2024 2100)
              collect (list year (nth-value 3 (decode-universal-time
                                               (encode-universal-time 0 0 0 29 2 year 0) 0)))))

(format t "encode: ~s~%"
        (list (encode-universal-time 0 0 0 1 1 1900 0)
              (encode-universal-time 1 2 3 4 5 2006 0)
              (encode-universal-time 59 59 23 31 12 1999 -1)
              (encode-universal-time 0 0 0 1 1 2000 5/2)
              (encode-universal-time 0 0 0 31 2 1999 0)
              (= (encode-universal-time 0 0 0 1 1 99 0) (encode-universal-time 0 0 0 1 1 1999 0))))

(format t "round trips in fixed zones: ~s~%"
        (every (lambda (time)
                 (every (lambda (zone)
                          (multiple-value-bind (s mi h d mo y)
                              (decode-universal-time (+ time 86400) zone)
                            (= (encode-universal-time s mi h d mo y zone) (+ time 86400))))
                        '(0 -1 5/2 -11/2 24 -24)))
               '(0 12345 2208988800 3900000000 4102444800)))

(format t "round trips in the local zone: ~s~%"
        (every (lambda (time)
                 (multiple-value-bind (s mi h d mo y) (decode-universal-time time)
                   (= (encode-universal-time s mi h d mo y) time)))
               '(3900000000 3913056000 4102444800)))

(format t "decoded-time values: ~s~%" (length (multiple-value-list (get-decoded-time))))

(format t "bad zones: ~s~%"
        (loop for zone in (list (read-from-string "25") (read-from-string "-49/2") "UTC")
              collect (handler-case (progn (decode-universal-time 0 zone) :accepted)
                        (type-error () :type-error))))

(format t "bad fields: ~s~%"
        (loop for fields in (list (list 60 0 0 1 1 2000) (list 0 0 24 1 1 2000)
                                  (list 0 0 0 0 1 2000) (list 0 0 0 1 13 2000))
              collect (handler-case (progn (apply #'encode-universal-time fields) :accepted)
                        (type-error () :type-error))))

(format t "real time never goes back: ~s~%"
        (let ((previous (get-internal-real-time))
              (steady t))
          (dotimes (i 10000 steady)
            (let ((now (get-internal-real-time)))
              (when (< now previous) (setf steady nil))
              (setf previous now)))))

(format t "sleep 0.05 s takes at least 45 ms of real time: ~s~%"
        (let ((start (get-internal-real-time)))
          (sleep 0.05)
          (>= (- (get-internal-real-time) start)
              (* 45/1000 internal-time-units-per-second))))

(format t "run time is a growing count: ~s~%"
        (let ((before (get-internal-run-time)))
          (loop repeat 10000 sum 1)
          (and (integerp before) (<= 0 before (get-internal-run-time)))))
