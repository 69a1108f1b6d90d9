;;;; TRACE and UNTRACE print calls and values as SBCL does.
(defun sq (x) (* x x))
(defun sum-sq (a b) (+ (sq a) (sq b)))
(trace sq sum-sq)
(format t "=> ~s~%" (sum-sq 3 4))
(untrace)
(format t "=> ~s~%" (sum-sq 1 2))
