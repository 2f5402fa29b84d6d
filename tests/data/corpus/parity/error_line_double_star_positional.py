y=0
if x:


    f(**k,a)
