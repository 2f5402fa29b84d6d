if(n:={""if 7 else()}):
 with b(x=A,n):
                e if''else()
                s