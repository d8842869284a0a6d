#include "textflag.h"

// STEP does one term p of the sum: B's row p (8 entries at DI) times A's
// column p (6 entries: at SI, SI+R9, SI+2·R9 and R10 = SI+3·R9, R10+R9,
// R10+2·R9), added to the accumulators Y4-Y15 (row r in Y(4+2r) and
// Y(5+2r)); then SI and R10 move to column p+1, R11 bytes on, and DI to
// row p+1, R12 bytes on.
#define STEP \
	VMOVUPD (DI), Y0 \
	VMOVUPD 32(DI), Y1 \
	VBROADCASTSD (SI), Y2 \
	VBROADCASTSD (SI)(R9*1), Y3 \
	VFMADD231PD Y0, Y2, Y4 \
	VFMADD231PD Y1, Y2, Y5 \
	VFMADD231PD Y0, Y3, Y6 \
	VFMADD231PD Y1, Y3, Y7 \
	VBROADCASTSD (SI)(R9*2), Y2 \
	VBROADCASTSD (R10), Y3 \
	VFMADD231PD Y0, Y2, Y8 \
	VFMADD231PD Y1, Y2, Y9 \
	VFMADD231PD Y0, Y3, Y10 \
	VFMADD231PD Y1, Y3, Y11 \
	VBROADCASTSD (R10)(R9*1), Y2 \
	VBROADCASTSD (R10)(R9*2), Y3 \
	VFMADD231PD Y0, Y2, Y12 \
	VFMADD231PD Y1, Y2, Y13 \
	VFMADD231PD Y0, Y3, Y14 \
	VFMADD231PD Y1, Y3, Y15 \
	ADDQ R11, SI \
	ADDQ R11, R10 \
	ADDQ R12, DI

// LOADROW sets row r of C (at DX) to alpha·acc + beta·C, alpha in Y0 and
// beta in Y1, and moves DX to the next row.
#define LOADROW(lo, hi) \
	VMULPD (DX), Y1, Y2 \
	VMULPD 32(DX), Y1, Y3 \
	VFMADD231PD Y0, lo, Y2 \
	VFMADD231PD Y0, hi, Y3 \
	VMOVUPD Y2, (DX) \
	VMOVUPD Y3, 32(DX) \
	ADDQ R8, DX

// STOREROW sets row r of C (at DX) to alpha·acc and moves DX to the next
// row.
#define STOREROW(lo, hi) \
	VMULPD Y0, lo, lo \
	VMULPD Y0, hi, hi \
	VMOVUPD lo, (DX) \
	VMOVUPD hi, 32(DX) \
	ADDQ R8, DX

// func dgemm6x8(k int, a *float64, rsA, csA int, b *float64, rsB int, c *float64, ldc int, alpha, beta float64, load int)
TEXT ·dgemm6x8(SB), NOSPLIT, $0-88
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsA+16(FP), R9
	SHLQ $3, R9
	MOVQ csA+24(FP), R11
	SHLQ $3, R11
	LEAQ (SI)(R9*2), R10
	ADDQ R9, R10
	MOVQ b+32(FP), DI
	MOVQ rsB+40(FP), R12
	SHLQ $3, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8

	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

	MOVQ CX, BX
	SHRQ $2, BX
	ANDQ $3, CX
	TESTQ BX, BX
	JE tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ BX
	JNE loop4

tail:
	TESTQ CX, CX
	JE update

loop1:
	STEP
	DECQ CX
	JNE loop1

update:
	VBROADCASTSD alpha+64(FP), Y0
	VBROADCASTSD beta+72(FP), Y1
	MOVQ load+80(FP), AX
	TESTQ AX, AX
	JE store
	LOADROW(Y4, Y5)
	LOADROW(Y6, Y7)
	LOADROW(Y8, Y9)
	LOADROW(Y10, Y11)
	LOADROW(Y12, Y13)
	LOADROW(Y14, Y15)
	VZEROUPPER
	RET

store:
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	STOREROW(Y12, Y13)
	STOREROW(Y14, Y15)
	VZEROUPPER
	RET

// STEP512 does one term p of the sum for the AVX-512 kernel: B's row p
// (8 entries at DI) times A's column p (12 entries: at SI, SI+R9,
// SI+2·R9, then the same from R10 = SI+3·R9, R13 = SI+6·R9 and
// AX = SI+9·R9), added to the accumulators Z16-Z27 (row r in Z(16+r));
// then SI, R10, R13 and AX move to column p+1, R11 bytes on, and DI to
// row p+1, R12 bytes on.
#define STEP512 \
	VMOVUPD (DI), Z0 \
	VFMADD231PD.BCST (SI), Z0, Z16 \
	VFMADD231PD.BCST (SI)(R9*1), Z0, Z17 \
	VFMADD231PD.BCST (SI)(R9*2), Z0, Z18 \
	VFMADD231PD.BCST (R10), Z0, Z19 \
	VFMADD231PD.BCST (R10)(R9*1), Z0, Z20 \
	VFMADD231PD.BCST (R10)(R9*2), Z0, Z21 \
	VFMADD231PD.BCST (R13), Z0, Z22 \
	VFMADD231PD.BCST (R13)(R9*1), Z0, Z23 \
	VFMADD231PD.BCST (R13)(R9*2), Z0, Z24 \
	VFMADD231PD.BCST (AX), Z0, Z25 \
	VFMADD231PD.BCST (AX)(R9*1), Z0, Z26 \
	VFMADD231PD.BCST (AX)(R9*2), Z0, Z27 \
	ADDQ R11, SI \
	ADDQ R11, R10 \
	ADDQ R11, R13 \
	ADDQ R11, AX \
	ADDQ R12, DI

// LOADROW512 sets a row of C (at DX) to alpha·acc + beta·C, alpha in Z1
// and beta in Z2, and moves DX to the next row.
#define LOADROW512(acc) \
	VMULPD (DX), Z2, Z3 \
	VFMADD231PD Z1, acc, Z3 \
	VMOVUPD Z3, (DX) \
	ADDQ R8, DX

// STOREROW512 sets a row of C (at DX) to alpha·acc and moves DX to the
// next row.
#define STOREROW512(acc) \
	VMULPD Z1, acc, acc \
	VMOVUPD acc, (DX) \
	ADDQ R8, DX

// func dgemm12x8(k int, a *float64, rsA, csA int, b *float64, rsB int, c *float64, ldc int, alpha, beta float64, load int)
TEXT ·dgemm12x8(SB), NOSPLIT, $0-88
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsA+16(FP), R9
	SHLQ $3, R9
	MOVQ csA+24(FP), R11
	SHLQ $3, R11
	LEAQ (SI)(R9*2), R10
	ADDQ R9, R10
	LEAQ (R10)(R9*2), R13
	ADDQ R9, R13
	LEAQ (R13)(R9*2), AX
	ADDQ R9, AX
	MOVQ b+32(FP), DI
	MOVQ rsB+40(FP), R12
	SHLQ $3, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8

	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	VPXORQ Z24, Z24, Z24
	VPXORQ Z25, Z25, Z25
	VPXORQ Z26, Z26, Z26
	VPXORQ Z27, Z27, Z27

	MOVQ CX, BX
	SHRQ $2, BX
	ANDQ $3, CX
	TESTQ BX, BX
	JE tail512

loop512:
	STEP512
	STEP512
	STEP512
	STEP512
	DECQ BX
	JNE loop512

tail512:
	TESTQ CX, CX
	JE update512

loop512one:
	STEP512
	DECQ CX
	JNE loop512one

update512:
	VBROADCASTSD alpha+64(FP), Z1
	VBROADCASTSD beta+72(FP), Z2
	MOVQ load+80(FP), AX
	TESTQ AX, AX
	JE store512
	LOADROW512(Z16)
	LOADROW512(Z17)
	LOADROW512(Z18)
	LOADROW512(Z19)
	LOADROW512(Z20)
	LOADROW512(Z21)
	LOADROW512(Z22)
	LOADROW512(Z23)
	LOADROW512(Z24)
	LOADROW512(Z25)
	LOADROW512(Z26)
	LOADROW512(Z27)
	VZEROUPPER
	RET

store512:
	STOREROW512(Z16)
	STOREROW512(Z17)
	STOREROW512(Z18)
	STOREROW512(Z19)
	STOREROW512(Z20)
	STOREROW512(Z21)
	STOREROW512(Z22)
	STOREROW512(Z23)
	STOREROW512(Z24)
	STOREROW512(Z25)
	STOREROW512(Z26)
	STOREROW512(Z27)
	VZEROUPPER
	RET

// STEP does one term p of the sum: B's row p (8 entries at DI) times A's
// column p (6 entries: at SI, SI+R9, SI+2·R9 and R10 = SI+3·R9, R10+R9,
// R10+2·R9), added to the accumulators Y4-Y15 (row r in Y(4+2r) and
// Y(5+2r)); then SI and R10 move to column p+1, R11 bytes on, and DI to
// row p+1, R12 bytes on.
#define STEPS \
	VMOVUPS (DI), Y0 \
	VMOVUPS 32(DI), Y1 \
	VBROADCASTSS (SI), Y2 \
	VBROADCASTSS (SI)(R9*1), Y3 \
	VFMADD231PS Y0, Y2, Y4 \
	VFMADD231PS Y1, Y2, Y5 \
	VFMADD231PS Y0, Y3, Y6 \
	VFMADD231PS Y1, Y3, Y7 \
	VBROADCASTSS (SI)(R9*2), Y2 \
	VBROADCASTSS (R10), Y3 \
	VFMADD231PS Y0, Y2, Y8 \
	VFMADD231PS Y1, Y2, Y9 \
	VFMADD231PS Y0, Y3, Y10 \
	VFMADD231PS Y1, Y3, Y11 \
	VBROADCASTSS (R10)(R9*1), Y2 \
	VBROADCASTSS (R10)(R9*2), Y3 \
	VFMADD231PS Y0, Y2, Y12 \
	VFMADD231PS Y1, Y2, Y13 \
	VFMADD231PS Y0, Y3, Y14 \
	VFMADD231PS Y1, Y3, Y15 \
	ADDQ R11, SI \
	ADDQ R11, R10 \
	ADDQ R12, DI

// LOADROWS sets row r of C (at DX) to alpha·acc + beta·C, alpha in Y0 and
// beta in Y1, and moves DX to the next row.
#define LOADROWS(lo, hi) \
	VMULPS (DX), Y1, Y2 \
	VMULPS 32(DX), Y1, Y3 \
	VFMADD231PS Y0, lo, Y2 \
	VFMADD231PS Y0, hi, Y3 \
	VMOVUPS Y2, (DX) \
	VMOVUPS Y3, 32(DX) \
	ADDQ R8, DX

// STOREROWS sets row r of C (at DX) to alpha·acc and moves DX to the next
// row.
#define STOREROWS(lo, hi) \
	VMULPS Y0, lo, lo \
	VMULPS Y0, hi, hi \
	VMOVUPS lo, (DX) \
	VMOVUPS hi, 32(DX) \
	ADDQ R8, DX

// func sgemm6x16(k int, a *float32, rsA, csA int, b *float32, rsB int, c *float32, ldc int, alpha, beta float32, load int)
TEXT ·sgemm6x16(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsA+16(FP), R9
	SHLQ $2, R9
	MOVQ csA+24(FP), R11
	SHLQ $2, R11
	LEAQ (SI)(R9*2), R10
	ADDQ R9, R10
	MOVQ b+32(FP), DI
	MOVQ rsB+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	MOVQ CX, BX
	SHRQ $2, BX
	ANDQ $3, CX
	TESTQ BX, BX
	JE stail

sloop4:
	STEPS
	STEPS
	STEPS
	STEPS
	DECQ BX
	JNE sloop4

stail:
	TESTQ CX, CX
	JE supdate

sloop1:
	STEPS
	DECQ CX
	JNE sloop1

supdate:
	VBROADCASTSS alpha+64(FP), Y0
	VBROADCASTSS beta+68(FP), Y1
	MOVQ load+72(FP), AX
	TESTQ AX, AX
	JE sstore
	LOADROWS(Y4, Y5)
	LOADROWS(Y6, Y7)
	LOADROWS(Y8, Y9)
	LOADROWS(Y10, Y11)
	LOADROWS(Y12, Y13)
	LOADROWS(Y14, Y15)
	VZEROUPPER
	RET

sstore:
	STOREROWS(Y4, Y5)
	STOREROWS(Y6, Y7)
	STOREROWS(Y8, Y9)
	STOREROWS(Y10, Y11)
	STOREROWS(Y12, Y13)
	STOREROWS(Y14, Y15)
	VZEROUPPER
	RET

