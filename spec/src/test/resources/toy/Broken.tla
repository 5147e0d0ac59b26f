------------------------------- MODULE Broken -------------------------------
(* A semantic error for the parse-error tests: @@ and unary minus need TLC  *)
(* and Integers, which this module does not extend.                         *)
EXTENDS Naturals
VARIABLE x
Init == x = (1 :> -2 @@ 3 :> 4)
Next == UNCHANGED x
=============================================================================
