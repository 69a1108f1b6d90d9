;;;; LOOP list accumulation, compared with SBCL.
(format t "~s~%" (loop for i below 5 collect i))
(format t "~s~%" (loop for i below 3 append (list i i)))
(format t "~s~%" (loop for i below 3 nconc (list i)))
(format t "~s~%" (loop for i below 6 if (evenp i) collect i into evens else collect i into odds finally (return (list evens odds))))
(format t "~s~%" (loop for x in '((1 2) nil (3)) append x collect :sep))
(format t "~s~%" (length (loop for i below 100000 collect i)))
(format t "~s~%" (let ((shared (list 9))) (eq (last (loop for i below 2 append shared)) shared)))
