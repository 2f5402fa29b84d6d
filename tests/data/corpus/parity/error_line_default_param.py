def g():


    def f(a=1,b):pass
