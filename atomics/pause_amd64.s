#include "textflag.h"

// func pause(cycles uint32)
TEXT ·pause(SB), NOSPLIT|NOFRAME, $0-4
	MOVL	cycles+0(FP), AX
	TESTL	AX, AX
	JZ	done
loop:
	PAUSE
	DECL	AX
	JNZ	loop
done:
	RET
