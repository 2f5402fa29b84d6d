try:
    try:2.-2**5**9
    except:''
finally:()
