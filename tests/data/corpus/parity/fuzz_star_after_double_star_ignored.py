with b(**e,0,*a):
        n
        try:s
        finally:x