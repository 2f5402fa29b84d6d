try:
    f()
except ValueError as e:
    print(e)
except:
    pass
finally:
    g()
