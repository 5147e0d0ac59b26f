-------------------------------- MODULE Toy --------------------------------
(* A tiny spec for the tests of the Java side: a counter x that counts to N *)
(* and back, the sequence s of values it passed, a function m from Names to *)
(* sets, and a constant record t with escapes, a model value, a function   *)
(* that is neither a sequence nor a record, and negative numbers.           *)
(* Variant selects a mistake: "small" breaks Small, "stuck" breaks          *)
(* EventuallyZero (stuttering), "dl" deadlocks.                             *)
EXTENDS Integers, Sequences, FiniteSets, TLC
CONSTANTS Names, N, Flag, Mv, Base, Variant
VARIABLES x, s, m, t
vars == <<x, s, m, t>>
Init == /\ x = 0
        /\ s = <<>>
        /\ m = [n \in Names |-> {}]
        /\ t = [k |-> "q\"x\\y", g |-> (0 :> TRUE @@ 2 :> Flag), mv |-> Mv, neg |-> -1, base |-> Base]
Inc == x < N /\ x' = x + 1 /\ s' = Append(s, x) /\ UNCHANGED <<m, t>>
Add(n) == x > 0 /\ x \notin m[n] /\ m' = [m EXCEPT ![n] = m[n] \cup {x}] /\ UNCHANGED <<x, s, t>>
Stop == x = N /\ Variant = "stuck" /\ UNCHANGED vars
Back == x = N /\ Variant \notin {"stuck", "dl"} /\ x' = 0 /\ s' = <<>> /\ UNCHANGED <<m, t>>
Next == Inc \/ (\E n \in Names : Add(n)) \/ Back \/ Stop
Spec == Init /\ [][Next]_vars
FairSpec == Spec /\ WF_vars(Back) /\ WF_vars(Inc)
TypeOK == x \in 0..N /\ t.base = Base
Small == x < 2 \/ Variant # "small"
EventuallyZero == []<>(x = 0)
StaysThree == <>[](x = 3)
AlwaysInc == [][x' >= x]_x
=============================================================================
