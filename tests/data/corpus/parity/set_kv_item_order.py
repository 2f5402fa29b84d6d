x = {a, f(x=1,2):(yield)}
