;;;; A program with a rhythm: its main thread prints "tick N" every 20 ms, forever.
;;;;
;;;;   swankd examples/ticker.lisp
;;;;
;;;; Clients may come and go (tests/reconnects.rs connects and disconnects a hundred
;;;; times); the numbers on stdout must stay consecutive.

(defvar *ticks* 0)

(loop
  (format t "tick ~d~%" *ticks*)
  (finish-output)
  (incf *ticks*)
  (sleep 0.02))
