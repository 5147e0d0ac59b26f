-------------------------------- MODULE Wide --------------------------------
(* Values wide enough that TLC prints them over several lines.             *)
EXTENDS Integers, Sequences
VARIABLES a, b, c, d
Init == /\ a = {[type |-> "prepare", bal |-> i, val |-> "some longish value", who |-> <<i, i + 1>>] : i \in 1..4}
        /\ b = [i \in 1..6 |-> [j \in {"x", "y", "z"} |-> {i, i + 1, i + 2}]]
        /\ c = <<"a", "b">>
        /\ d = [i \in 1..20 |-> i * 1000]
Next == UNCHANGED <<a, b, c, d>>
Short == c = <<>>
OutOfDomain == c[5] = 1
=============================================================================
