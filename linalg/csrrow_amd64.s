#include "textflag.h"

// The CSR row kernel with AVX2 (csrrow_amd64.go): out[0:4·nv] =
// Σ_p vals[p]·B[cols[p]][0:4·nv], B's rows at b with a stride of R8 bytes,
// in the order of rowUnrolled (grouped != 0: four stored entries summed
// before they are added to out, then one at a time) or of rowAxpy (one at a
// time), with separate multiplications and additions (no fused
// multiply-add), so that each column's sum is rounded exactly as the Go
// kernels round it. Registers: DI out, SI cols, DX vals, CX entries left,
// BX b, R8 the stride in bytes, R9-R12 the rows of B of the current
// entries; Y0-Y7 the accumulators, Y8 and Y9 temporaries (renamed by the
// CPU, so the columns' chains overlap), Y12-Y15 the values, and for nv = 0
// (the last 1-3 columns) Y10 the mask and Y11 the masked loads.

// ROWS4 points R9-R12 at the rows of B of the next four entries and
// broadcasts their values into Y12-Y15.
#define ROWS4 \
	MOVQ (SI), R9 \
	MOVQ 8(SI), R10 \
	MOVQ 16(SI), R11 \
	MOVQ 24(SI), R12 \
	IMULQ R8, R9 \
	IMULQ R8, R10 \
	IMULQ R8, R11 \
	IMULQ R8, R12 \
	ADDQ BX, R9 \
	ADDQ BX, R10 \
	ADDQ BX, R11 \
	ADDQ BX, R12 \
	VBROADCASTSD (DX), Y12 \
	VBROADCASTSD 8(DX), Y13 \
	VBROADCASTSD 16(DX), Y14 \
	VBROADCASTSD 24(DX), Y15

// ROW1 points R9 at the row of B of the next entry and broadcasts its
// value into Y12.
#define ROW1 \
	MOVQ (SI), R9 \
	IMULQ R8, R9 \
	ADDQ BX, R9 \
	VBROADCASTSD (DX), Y12

// G4 adds ((v0·b0 + v1·b1) + v2·b2) + v3·b3 of the 4 columns at off to acc.
#define G4(off, acc) \
	VMULPD off(R9), Y12, Y8 \
	VMULPD off(R10), Y13, Y9 \
	VADDPD Y9, Y8, Y8 \
	VMULPD off(R11), Y14, Y9 \
	VADDPD Y9, Y8, Y8 \
	VMULPD off(R12), Y15, Y9 \
	VADDPD Y9, Y8, Y8 \
	VADDPD Y8, acc, acc

// G1 adds v0·b0 of the 4 columns at off to acc.
#define G1(off, acc) \
	VMULPD off(R9), Y12, Y8 \
	VADDPD Y8, acc, acc

// G4M and G1M are G4 and G1 for the columns of the mask in Y10 (no other
// column is read or written), loading through Y11.
#define G4M \
	VMASKMOVPD (R9), Y10, Y11 \
	VMULPD Y11, Y12, Y8 \
	VMASKMOVPD (R10), Y10, Y11 \
	VMULPD Y11, Y13, Y9 \
	VADDPD Y9, Y8, Y8 \
	VMASKMOVPD (R11), Y10, Y11 \
	VMULPD Y11, Y14, Y9 \
	VADDPD Y9, Y8, Y8 \
	VMASKMOVPD (R12), Y10, Y11 \
	VMULPD Y11, Y15, Y9 \
	VADDPD Y9, Y8, Y8 \
	VADDPD Y8, Y0, Y0

#define G1M \
	VMASKMOVPD (R9), Y10, Y11 \
	VMULPD Y11, Y12, Y8 \
	VADDPD Y8, Y0, Y0

// func csrRowAVX2(nv int, out *float64, cols *int, vals *float64, n int, b *float64, stride int, grouped int, mask *int64)
TEXT ·csrRowAVX2(SB), NOSPLIT, $0-72
	MOVQ out+8(FP), DI
	MOVQ cols+16(FP), SI
	MOVQ vals+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ b+40(FP), BX
	MOVQ stride+48(FP), R8
	SHLQ $3, R8
	MOVQ grouped+56(FP), R13
	MOVQ nv+0(FP), AX
	TESTQ AX, AX
	JEQ nv0
	CMPQ AX, $8
	JEQ nv8
	CMPQ AX, $4
	JEQ nv4
	CMPQ AX, $2
	JEQ nv2
	JMP nv1


nv8:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	TESTQ R13, R13
	JEQ nv8one

nv8four:
	CMPQ CX, $4
	JLT nv8one
	ROWS4
	G4(0, Y0)
	G4(32, Y1)
	G4(64, Y2)
	G4(96, Y3)
	G4(128, Y4)
	G4(160, Y5)
	G4(192, Y6)
	G4(224, Y7)
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP nv8four

nv8one:
	TESTQ CX, CX
	JEQ nv8store
	ROW1
	G1(0, Y0)
	G1(32, Y1)
	G1(64, Y2)
	G1(96, Y3)
	G1(128, Y4)
	G1(160, Y5)
	G1(192, Y6)
	G1(224, Y7)
	ADDQ $8, SI
	ADDQ $8, DX
	DECQ CX
	JMP nv8one

nv8store:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 128(DI)
	VMOVUPD Y5, 160(DI)
	VMOVUPD Y6, 192(DI)
	VMOVUPD Y7, 224(DI)
	VZEROUPPER
	RET

nv4:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	TESTQ R13, R13
	JEQ nv4one

nv4four:
	CMPQ CX, $4
	JLT nv4one
	ROWS4
	G4(0, Y0)
	G4(32, Y1)
	G4(64, Y2)
	G4(96, Y3)
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP nv4four

nv4one:
	TESTQ CX, CX
	JEQ nv4store
	ROW1
	G1(0, Y0)
	G1(32, Y1)
	G1(64, Y2)
	G1(96, Y3)
	ADDQ $8, SI
	ADDQ $8, DX
	DECQ CX
	JMP nv4one

nv4store:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

nv2:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	TESTQ R13, R13
	JEQ nv2one

nv2four:
	CMPQ CX, $4
	JLT nv2one
	ROWS4
	G4(0, Y0)
	G4(32, Y1)
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP nv2four

nv2one:
	TESTQ CX, CX
	JEQ nv2store
	ROW1
	G1(0, Y0)
	G1(32, Y1)
	ADDQ $8, SI
	ADDQ $8, DX
	DECQ CX
	JMP nv2one

nv2store:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VZEROUPPER
	RET

nv1:
	VXORPD Y0, Y0, Y0
	TESTQ R13, R13
	JEQ nv1one

nv1four:
	CMPQ CX, $4
	JLT nv1one
	ROWS4
	G4(0, Y0)
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP nv1four

nv1one:
	TESTQ CX, CX
	JEQ nv1store
	ROW1
	G1(0, Y0)
	ADDQ $8, SI
	ADDQ $8, DX
	DECQ CX
	JMP nv1one

nv1store:
	VMOVUPD Y0, 0(DI)
	VZEROUPPER
	RET

nv0:
	MOVQ mask+64(FP), AX
	VMOVDQU (AX), Y10
	VXORPD Y0, Y0, Y0
	TESTQ R13, R13
	JEQ nv0one

nv0four:
	CMPQ CX, $4
	JLT nv0one
	ROWS4
	G4M
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP nv0four

nv0one:
	TESTQ CX, CX
	JEQ nv0store
	ROW1
	G1M
	ADDQ $8, SI
	ADDQ $8, DX
	DECQ CX
	JMP nv0one

nv0store:
	VMASKMOVPD Y0, Y10, (DI)
	VZEROUPPER
	RET
