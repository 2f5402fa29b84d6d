class C:
 y=[b for b in c if
(t:=0)]
