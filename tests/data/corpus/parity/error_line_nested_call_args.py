for i in e:
 for j in e(i=x,
""):s
