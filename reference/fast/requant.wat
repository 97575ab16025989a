;; Requantization of int32 accumulators to uint8 / uint16 codes (hand-written WebAssembly SIMD):
;;   out = clamp(sat32(round_half_away(acc * m / 2^(31+shift))) + zp, qmin, qmax)
;; per row (channel) with the exact 64-bit product (reference/quant/fixed-point.ts requantize), then,
;; for uint8 output with a table address $lut != 0, out = table[out] (a fused element-wise successor,
;; reference/fast/fusion.ts). Addresses are byte offsets into the shared memory (engine.ts).
(module
  (memory (import "env" "memory") 1 32768 shared)

  ;; Requantizes the first $plane values of rows [c0, c1) of acc (int32 rows $inStride apart) into
  ;; out (rows $outStride apart; uint8 when $bytes = 1, uint16 when 2): per row c, m = mult[c],
  ;; r = 31 + shift[c] (>= 0); $lut: table address for uint8 output, 0 = none.
  (func (export "requant")
    (param $acc i32) (param $mult i32) (param $shift i32) (param $out i32) (param $bytes i32)
    (param $plane i32) (param $c0 i32) (param $c1 i32) (param $zp i32) (param $qmin i32) (param $qmax i32)
    (param $inStride i32) (param $outStride i32) (param $lut i32)
    (local $c i32) (local $i i32) (local $r i32) (local $m i64) (local $half i64) (local $rr i64)
    (local $ap i32) (local $op i32) (local $a i64) (local $prod i64) (local $v i64)
    (local $zp64 i64) (local $lo i64) (local $hi i64)
    (local $mv v128) (local $halfv v128) (local $lov v128) (local $hiv v128) (local $zpv v128) (local $zero v128)
    (local $va v128) (local $vb v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $vp v128) (local $mag v128) (local $mv32 v128) (local $lo32 v128) (local $hi32 v128)
    (local $sgn v128) (local $abs v128) (local $p0 v128) (local $p1 v128) (local $hq v128) (local $k32 i32)
    (local $zp16 v128) (local $qmin16 v128) (local $qmax16 v128) (local $g i64)
    (if (i32.ne (local.get $bytes) (i32.const 1)) (then (local.set $lut (i32.const 0))))
    (local.set $zp64 (i64.extend_i32_s (local.get $zp)))
    ;; vector paths clamp to [qmin − zp, qmax − zp] before adding zp: equal to saturating to int32,
    ;; adding zp and clamping, because 0 ≤ zp and [qmin, qmax] ⊂ [0, 65535]
    (local.set $lov (i64x2.splat (i64.sub (i64.extend_i32_s (local.get $qmin)) (local.get $zp64))))
    (local.set $hiv (i64x2.splat (i64.sub (i64.extend_i32_s (local.get $qmax)) (local.get $zp64))))
    (local.set $zpv (i32x4.splat (local.get $zp)))
    (local.set $zp16 (i16x8.splat (local.get $zp)))
    (local.set $qmin16 (i16x8.splat (local.get $qmin)))
    (local.set $qmax16 (i16x8.splat (local.get $qmax)))
    (local.set $lo32 (i32x4.splat (i32.sub (local.get $qmin) (local.get $zp))))
    (local.set $hi32 (i32x4.splat (i32.sub (local.get $qmax) (local.get $zp))))
    (local.set $lo (i64.extend_i32_s (local.get $qmin)))
    (local.set $hi (i64.extend_i32_s (local.get $qmax)))
    (local.set $c (local.get $c0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
        (local.set $m (i64.extend_i32_u (i32.load (i32.add (local.get $mult) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $r (i32.add (i32.const 31) (i32.load (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 2))))))
        ;; r >= 63: |acc * m| < 2^62 rounds to 0
        (if (i32.ge_s (local.get $r) (i32.const 63)) (then (local.set $m (i64.const 0)) (local.set $r (i32.const 0))))
        (local.set $rr (i64.extend_i32_u (local.get $r)))
        (local.set $half (select (i64.shl (i64.const 1) (i64.sub (local.get $rr) (i64.const 1))) (i64.const 0)
          (i32.gt_s (local.get $r) (i32.const 0))))
        (local.set $ap (i32.add (local.get $acc) (i32.mul (i32.shl (local.get $c) (i32.const 2)) (local.get $inStride))))
        (local.set $op (i32.add (local.get $out) (i32.mul (i32.mul (local.get $c) (local.get $bytes)) (local.get $outStride))))
        (local.set $i (i32.const 0))
        (local.set $mv (i64x2.splat (local.get $m)))
        (local.set $halfv (i64x2.splat (local.get $half)))
        ;; r >= 33 (multiplier < 1/4, the usual case): from the high words H of the exact unsigned
        ;; 32x32->64 products, (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) (the low word
        ;; cannot carry across a multiple of 2^r), then sign and clamp on int32 lanes; r = 31, 32 and
        ;; larger multipliers take the 64-bit path below
        (if (i32.ge_s (local.get $r) (i32.const 33))
          (then
            (local.set $mv32 (i32x4.splat (i32.wrap_i64 (local.get $m))))
            (local.set $hq (i32x4.splat (i32.shl (i32.const 1) (i32.sub (local.get $r) (i32.const 33)))))
            (local.set $k32 (i32.sub (local.get $r) (i32.const 32)))
            (block $fdone
              (loop $floop
                (br_if $fdone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $plane)))
                (local.set $sgn (i32x4.shr_s (v128.load (local.get $ap)) (i32.const 31)))
                (local.set $abs (i32x4.abs (v128.load (local.get $ap))))
                (local.set $p0 (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv32)))
                (local.set $p1 (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv32)))
                (local.set $va (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $hq)
                  (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p0) (local.get $p1))) (local.get $k32)) (local.get $sgn)) (local.get $sgn)))
                (local.set $sgn (i32x4.shr_s (v128.load offset=16 (local.get $ap)) (i32.const 31)))
                (local.set $abs (i32x4.abs (v128.load offset=16 (local.get $ap))))
                (local.set $p0 (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv32)))
                (local.set $p1 (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv32)))
                (local.set $vb (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $hq)
                  (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p0) (local.get $p1))) (local.get $k32)) (local.get $sgn)) (local.get $sgn)))
                (if (i32.eq (local.get $bytes) (i32.const 2))
                  (then
                    (v128.store (local.get $op) (i16x8.narrow_i32x4_u
                      (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32) (local.get $va))))
                      (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32) (local.get $vb)))))))
                  (else
                    ;; uint8: saturating narrow to int16 (values beyond int16 clamp anyway), zero point
                    ;; and clamp on int16 lanes (0 ≤ zp, qmin, qmax ≤ 255 for 8-bit codes)
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (local.get $qmax16) (i16x8.max_s (local.get $qmin16)
                      (i16x8.add_sat_s (local.get $zp16) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        ;; table lookups from a 64-bit lane in a general register (no i8x16.extract_lane_u)
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (local.get $g)) (i32.const 255)))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 8))) (i32.const 255)))))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 16))) (i32.const 255)))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 24))) (i32.const 255)))))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))) (i32.const 255)))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 40))) (i32.const 255)))))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 48))) (i32.const 255)))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 56))) (i32.const 255)))))))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
                (local.set $op (i32.add (local.get $op) (i32.shl (local.get $bytes) (i32.const 3))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $floop)))))
        ;; 8 outputs per step: four i64x2 lanes pairs, exact 64-bit products (same rule as below)
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $plane)))
            (local.set $va (v128.load (local.get $ap)))
            (local.set $vb (v128.load offset=16 (local.get $ap)))
            (local.set $e0 (i64x2.extend_low_i32x4_s (local.get $va)))
            (local.set $e1 (i64x2.extend_high_i32x4_s (local.get $va)))
            (local.set $e2 (i64x2.extend_low_i32x4_s (local.get $vb)))
            (local.set $e3 (i64x2.extend_high_i32x4_s (local.get $vb)))
            (local.set $vp (i64x2.mul (local.get $e0) (local.get $mv)))
            (local.set $mag (i64x2.shr_u (i64x2.add (i64x2.abs (local.get $vp)) (local.get $halfv)) (local.get $r)))
            (local.set $mag (v128.bitselect (i64x2.neg (local.get $mag)) (local.get $mag) (i64x2.lt_s (local.get $vp) (local.get $zero))))
            (local.set $mag (v128.bitselect (local.get $lov) (local.get $mag) (i64x2.lt_s (local.get $mag) (local.get $lov))))
            (local.set $e0 (v128.bitselect (local.get $hiv) (local.get $mag) (i64x2.gt_s (local.get $mag) (local.get $hiv))))
            (local.set $vp (i64x2.mul (local.get $e1) (local.get $mv)))
            (local.set $mag (i64x2.shr_u (i64x2.add (i64x2.abs (local.get $vp)) (local.get $halfv)) (local.get $r)))
            (local.set $mag (v128.bitselect (i64x2.neg (local.get $mag)) (local.get $mag) (i64x2.lt_s (local.get $vp) (local.get $zero))))
            (local.set $mag (v128.bitselect (local.get $lov) (local.get $mag) (i64x2.lt_s (local.get $mag) (local.get $lov))))
            (local.set $e1 (v128.bitselect (local.get $hiv) (local.get $mag) (i64x2.gt_s (local.get $mag) (local.get $hiv))))
            (local.set $vp (i64x2.mul (local.get $e2) (local.get $mv)))
            (local.set $mag (i64x2.shr_u (i64x2.add (i64x2.abs (local.get $vp)) (local.get $halfv)) (local.get $r)))
            (local.set $mag (v128.bitselect (i64x2.neg (local.get $mag)) (local.get $mag) (i64x2.lt_s (local.get $vp) (local.get $zero))))
            (local.set $mag (v128.bitselect (local.get $lov) (local.get $mag) (i64x2.lt_s (local.get $mag) (local.get $lov))))
            (local.set $e2 (v128.bitselect (local.get $hiv) (local.get $mag) (i64x2.gt_s (local.get $mag) (local.get $hiv))))
            (local.set $vp (i64x2.mul (local.get $e3) (local.get $mv)))
            (local.set $mag (i64x2.shr_u (i64x2.add (i64x2.abs (local.get $vp)) (local.get $halfv)) (local.get $r)))
            (local.set $mag (v128.bitselect (i64x2.neg (local.get $mag)) (local.get $mag) (i64x2.lt_s (local.get $vp) (local.get $zero))))
            (local.set $mag (v128.bitselect (local.get $lov) (local.get $mag) (i64x2.lt_s (local.get $mag) (local.get $lov))))
            (local.set $e3 (v128.bitselect (local.get $hiv) (local.get $mag) (i64x2.gt_s (local.get $mag) (local.get $hiv))))
            (local.set $va (i32x4.add (local.get $zpv) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $e0) (local.get $e1))))
            (local.set $vb (i32x4.add (local.get $zpv) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $e2) (local.get $e3))))
            (local.set $va (i16x8.narrow_i32x4_u (local.get $va) (local.get $vb)))
                ;; store (inlined: V8 does not inline calls): uint16, uint8, or table[uint8]
                (if (i32.eq (local.get $bytes) (i32.const 2))
                  (then (v128.store (local.get $op) (local.get $va)))
                  (else
                    (local.set $va (i8x16.narrow_i16x8_u (local.get $va) (local.get $va)))
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 0 (local.get $va)))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 1 (local.get $va)))))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 2 (local.get $va)))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 3 (local.get $va)))))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 4 (local.get $va)))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 5 (local.get $va)))))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 6 (local.get $va)))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 7 (local.get $va)))))))))
            (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
            (local.set $op (i32.add (local.get $op) (i32.shl (local.get $bytes) (i32.const 3))))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $vloop)))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_s (local.get $i) (local.get $plane)))
            (local.set $a (i64.load32_s (local.get $ap)))
            (local.set $prod (i64.mul (local.get $a) (local.get $m)))
            ;; round half away from zero on the magnitude
            (local.set $v (i64.shr_u (i64.add (select (i64.sub (i64.const 0) (local.get $prod)) (local.get $prod)
              (i64.lt_s (local.get $prod) (i64.const 0))) (local.get $half)) (local.get $rr)))
            (if (i64.lt_s (local.get $prod) (i64.const 0)) (then (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
            ;; saturate to int32, add the zero point, clamp
            (if (i64.gt_s (local.get $v) (i64.const 2147483647)) (then (local.set $v (i64.const 2147483647))))
            (if (i64.lt_s (local.get $v) (i64.const -2147483648)) (then (local.set $v (i64.const -2147483648))))
            (local.set $v (i64.add (local.get $v) (local.get $zp64)))
            (if (i64.gt_s (local.get $v) (local.get $hi)) (then (local.set $v (local.get $hi))))
            (if (i64.lt_s (local.get $v) (local.get $lo)) (then (local.set $v (local.get $lo))))
            (if (i32.eq (local.get $bytes) (i32.const 1))
              (then (i32.store8 (local.get $op) (select
                (i32.load8_u (i32.add (local.get $lut) (i32.wrap_i64 (local.get $v))))
                (i32.wrap_i64 (local.get $v)) (local.get $lut))))
              (else (i64.store16 (local.get $op) (local.get $v))))
            (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
            (local.set $op (i32.add (local.get $op) (local.get $bytes)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $iloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))
)
