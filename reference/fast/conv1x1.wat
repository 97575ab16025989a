;; 1x1 convolution (stride 1, no padding, one group) of uint8 NCHW codes straight to requantized
;; uint8 NCHW codes, hand-written WebAssembly SIMD. One call is one thread's whole job for pixels
;; [p0, p1) (multiples of 8, or p1 = p8): it packs its pixels of every channel pair, accumulates,
;; requantizes and stores, so a layer needs a single fork/join.
;;
;; Packed input ($xp): [ncp][p8][2] int16, x − zx for channels (2k, 2k+1) of each pixel (a missing
;; odd channel is 0). Weights: the 'pairs' layout of pack.ts (blocks of 8 output channels, one tap,
;; [pair][2 x v128]); here 4 output channels at a time (half a block: 4 lanes of (w[o][2k], w[o][2k+1])).
;; i32x4.dot_i16x8_s of a pixel-pair vector (4 pixels x one channel pair) with a splatted weight pair
;; adds 8 multiply-accumulates into 4 pixels of one output channel, so the accumulators are already
;; NCHW: 4 output channels x 8 pixels in 8 v128. Requantization as requant.wat on the registers, for
;; r = 31 + shift in [33, 62] (checked by the caller) from the high words of the exact 64-bit
;; products: (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32), H = (|acc|·m) >> 32, exact
;; because the low word L < 2^32 cannot carry across a multiple of 2^r, then the optional 256-entry table ($lut),
;; stored as uint8 at out + oc * plane + p (pixels past the plane are not stored).
(module
  (memory (import "env" "memory") 1 32768 shared)

  (func (export "conv1x1_job")
    (param $src i32) (param $xp i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $mult i32) (param $shift i32) (param $lut i32) (param $bounce i32)
    (param $c i32) (param $ncp i32) (param $p8 i32) (param $plane i32) (param $m i32)
    (param $zx i32) (param $zp i32) (param $qmin i32) (param $qmax i32) (param $p0 i32) (param $p1 i32)
    (local $k i32) (local $p i32) (local $pe i32) (local $hb i32) (local $oc i32) (local $xq i32) (local $wq i32) (local $op i32) (local $t i32) (local $tv i32)
    (local $zv v128) (local $va v128) (local $vb v128) (local $xa v128) (local $xb v128) (local $wv v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $mv0 v128) (local $mv1 v128) (local $mv2 v128) (local $mv3 v128) (local $hv0 v128) (local $hv1 v128) (local $hv2 v128) (local $hv3 v128)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $sgn v128) (local $abs v128) (local $e0 v128) (local $e1 v128) (local $zpv v128) (local $lo32 v128) (local $hi32 v128)
    (local.set $zv (i16x8.splat (local.get $zx)))
    (local.set $zpv (i32x4.splat (local.get $zp)))
    (local.set $lo32 (i32x4.splat (i32.sub (local.get $qmin) (local.get $zp))))
    (local.set $hi32 (i32x4.splat (i32.sub (local.get $qmax) (local.get $zp))))
    ;; pack: channel pairs of pixels [p0, p1)
    (local.set $pe (select (local.get $p1) (local.get $plane) (i32.lt_s (local.get $p1) (local.get $plane))))
    (local.set $k (i32.const 0))
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_s (local.get $k) (local.get $ncp)))
        (local.set $xq (i32.add (local.get $src) (i32.mul (i32.shl (local.get $k) (i32.const 1)) (local.get $plane))))
        (local.set $p (local.get $p0))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.gt_s (i32.add (local.get $p) (i32.const 8)) (local.get $pe)))
            (local.set $va (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $xq) (local.get $p)))) (local.get $zv)))
            (local.set $vb (v128.const i32x4 0 0 0 0))
            (if (i32.lt_s (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1)) (local.get $c))
              (then (local.set $vb (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (i32.add (local.get $xq) (local.get $plane)) (local.get $p)))) (local.get $zv)))))
            (local.set $op (i32.add (local.get $xp) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $p8)) (local.get $p)) (i32.const 2))))
            (v128.store (local.get $op) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $va) (local.get $vb)))
            (v128.store offset=16 (local.get $op) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $va) (local.get $vb)))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $vloop)))
        ;; tail pixels (and pixels past the plane, up to p1: zero)
        (block $sdone
          (loop $sloop
            (br_if $sdone (i32.ge_s (local.get $p) (local.get $p1)))
            (local.set $op (i32.add (local.get $xp) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $p8)) (local.get $p)) (i32.const 2))))
            (i32.store (local.get $op) (i32.const 0))
            (if (i32.lt_s (local.get $p) (local.get $plane))
              (then
                (i32.store16 (local.get $op) (i32.sub (i32.load8_u (i32.add (local.get $xq) (local.get $p))) (local.get $zx)))
                (if (i32.lt_s (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1)) (local.get $c))
                  (then (i32.store16 offset=2 (local.get $op) (i32.sub (i32.load8_u (i32.add (i32.add (local.get $xq) (local.get $plane)) (local.get $p))) (local.get $zx)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $sloop)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop)))
    ;; output channels 4 at a time
    (local.set $hb (i32.const 0))
    (block $hdone
      (loop $hloop
        (local.set $oc (i32.shl (local.get $hb) (i32.const 2)))
        (br_if $hdone (i32.ge_s (local.get $oc) (local.get $m)))
        (local.set $mv0 (i32x4.splat (i32.load (i32.add (local.get $mult) (i32.shl (i32.add (local.get $oc) (i32.const 0)) (i32.const 2))))))
        ;; $r0 = r − 32 = shift − 1 (shift ≥ 2, checked by the caller), $hv0 = 2^(r − 33)
        (local.set $r0 (i32.sub (i32.load (i32.add (local.get $shift) (i32.shl (i32.add (local.get $oc) (i32.const 0)) (i32.const 2)))) (i32.const 1)))
        (local.set $hv0 (i32x4.splat (i32.shl (i32.const 1) (i32.sub (local.get $r0) (i32.const 1)))))
        (local.set $mv1 (i32x4.splat (i32.load (i32.add (local.get $mult) (i32.shl (i32.add (local.get $oc) (i32.const 1)) (i32.const 2))))))
        ;; $r1 = r − 32 = shift − 1 (shift ≥ 2, checked by the caller), $hv1 = 2^(r − 33)
        (local.set $r1 (i32.sub (i32.load (i32.add (local.get $shift) (i32.shl (i32.add (local.get $oc) (i32.const 1)) (i32.const 2)))) (i32.const 1)))
        (local.set $hv1 (i32x4.splat (i32.shl (i32.const 1) (i32.sub (local.get $r1) (i32.const 1)))))
        (local.set $mv2 (i32x4.splat (i32.load (i32.add (local.get $mult) (i32.shl (i32.add (local.get $oc) (i32.const 2)) (i32.const 2))))))
        ;; $r2 = r − 32 = shift − 1 (shift ≥ 2, checked by the caller), $hv2 = 2^(r − 33)
        (local.set $r2 (i32.sub (i32.load (i32.add (local.get $shift) (i32.shl (i32.add (local.get $oc) (i32.const 2)) (i32.const 2)))) (i32.const 1)))
        (local.set $hv2 (i32x4.splat (i32.shl (i32.const 1) (i32.sub (local.get $r2) (i32.const 1)))))
        (local.set $mv3 (i32x4.splat (i32.load (i32.add (local.get $mult) (i32.shl (i32.add (local.get $oc) (i32.const 3)) (i32.const 2))))))
        ;; $r3 = r − 32 = shift − 1 (shift ≥ 2, checked by the caller), $hv3 = 2^(r − 33)
        (local.set $r3 (i32.sub (i32.load (i32.add (local.get $shift) (i32.shl (i32.add (local.get $oc) (i32.const 3)) (i32.const 2)))) (i32.const 1)))
        (local.set $hv3 (i32x4.splat (i32.shl (i32.const 1) (i32.sub (local.get $r3) (i32.const 1)))))
        (local.set $p (local.get $p0))
        (block $pdone
          (loop $ploop
            (br_if $pdone (i32.ge_s (local.get $p) (local.get $p1)))
            (local.set $a00 (v128.load32_splat (i32.add (local.get $bias) (i32.shl (i32.add (local.get $oc) (i32.const 0)) (i32.const 2)))))
            (local.set $a01 (local.get $a00))
            (local.set $a10 (v128.load32_splat (i32.add (local.get $bias) (i32.shl (i32.add (local.get $oc) (i32.const 1)) (i32.const 2)))))
            (local.set $a11 (local.get $a10))
            (local.set $a20 (v128.load32_splat (i32.add (local.get $bias) (i32.shl (i32.add (local.get $oc) (i32.const 2)) (i32.const 2)))))
            (local.set $a21 (local.get $a20))
            (local.set $a30 (v128.load32_splat (i32.add (local.get $bias) (i32.shl (i32.add (local.get $oc) (i32.const 3)) (i32.const 2)))))
            (local.set $a31 (local.get $a30))
            (local.set $xq (i32.add (local.get $xp) (i32.shl (local.get $p) (i32.const 2))))
            ;; weights of output channels oc..oc+3: block hb >> 1, half hb & 1
            (local.set $wq (i32.add (local.get $w) (i32.add (i32.mul (i32.shr_u (local.get $hb) (i32.const 1)) (i32.shl (local.get $ncp) (i32.const 5)))
              (i32.shl (i32.and (local.get $hb) (i32.const 1)) (i32.const 4)))))
            (local.set $k (local.get $ncp))
            (block $cdone
              (loop $cloop
                (br_if $cdone (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $xa (v128.load (local.get $xq)))
                (local.set $xb (v128.load offset=16 (local.get $xq)))
                (local.set $wv (v128.load32_splat offset=0 (local.get $wq)))
                (local.set $a00 (i32x4.add (local.get $a00) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
                (local.set $a01 (i32x4.add (local.get $a01) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                (local.set $wv (v128.load32_splat offset=4 (local.get $wq)))
                (local.set $a10 (i32x4.add (local.get $a10) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
                (local.set $a11 (i32x4.add (local.get $a11) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                (local.set $wv (v128.load32_splat offset=8 (local.get $wq)))
                (local.set $a20 (i32x4.add (local.get $a20) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
                (local.set $a21 (i32x4.add (local.get $a21) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                (local.set $wv (v128.load32_splat offset=12 (local.get $wq)))
                (local.set $a30 (i32x4.add (local.get $a30) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
                (local.set $a31 (i32x4.add (local.get $a31) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                (local.set $xq (i32.add (local.get $xq) (i32.shl (local.get $p8) (i32.const 2))))
                (local.set $wq (i32.add (local.get $wq) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $cloop)))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 0)) (local.get $m))
              (then
                (local.set $sgn (i32x4.shr_s (local.get $a00) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a00)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv0)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv0))))
                (local.set $va (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv0)) (local.get $r0)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $sgn (i32x4.shr_s (local.get $a01) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a01)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv0)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv0))))
                (local.set $vb (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv0)) (local.get $r0)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $va (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $va) (local.get $vb)) (local.get $va)))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 0)) (local.get $plane)) (local.get $p))))
                (if (i32.le_s (i32.add (local.get $p) (i32.const 8)) (local.get $plane))
                  (then
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
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 7 (local.get $va)))))
                      )))
                  (else
                    ;; the last partial vector of the plane: through the bounce buffer, value by value
                    (v128.store (local.get $bounce) (local.get $va))
                    (local.set $t (i32.const 0))
                    (block $tdone0
                      (loop $tloop0
                        (br_if $tdone0 (i32.ge_s (i32.add (local.get $p) (local.get $t)) (local.get $plane)))
                        (local.set $tv (i32.load8_u (i32.add (local.get $bounce) (local.get $t))))
                        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
                        (i32.store8 (i32.add (local.get $op) (local.get $t)) (local.get $tv))
                        (local.set $t (i32.add (local.get $t) (i32.const 1)))
                        (br $tloop0)))))
              ))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 1)) (local.get $m))
              (then
                (local.set $sgn (i32x4.shr_s (local.get $a10) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a10)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv1)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv1))))
                (local.set $va (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv1)) (local.get $r1)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $sgn (i32x4.shr_s (local.get $a11) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a11)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv1)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv1))))
                (local.set $vb (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv1)) (local.get $r1)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $va (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $va) (local.get $vb)) (local.get $va)))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 1)) (local.get $plane)) (local.get $p))))
                (if (i32.le_s (i32.add (local.get $p) (i32.const 8)) (local.get $plane))
                  (then
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
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 7 (local.get $va)))))
                      )))
                  (else
                    ;; the last partial vector of the plane: through the bounce buffer, value by value
                    (v128.store (local.get $bounce) (local.get $va))
                    (local.set $t (i32.const 0))
                    (block $tdone1
                      (loop $tloop1
                        (br_if $tdone1 (i32.ge_s (i32.add (local.get $p) (local.get $t)) (local.get $plane)))
                        (local.set $tv (i32.load8_u (i32.add (local.get $bounce) (local.get $t))))
                        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
                        (i32.store8 (i32.add (local.get $op) (local.get $t)) (local.get $tv))
                        (local.set $t (i32.add (local.get $t) (i32.const 1)))
                        (br $tloop1)))))
              ))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 2)) (local.get $m))
              (then
                (local.set $sgn (i32x4.shr_s (local.get $a20) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a20)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv2)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv2))))
                (local.set $va (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv2)) (local.get $r2)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $sgn (i32x4.shr_s (local.get $a21) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a21)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv2)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv2))))
                (local.set $vb (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv2)) (local.get $r2)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $va (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $va) (local.get $vb)) (local.get $va)))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 2)) (local.get $plane)) (local.get $p))))
                (if (i32.le_s (i32.add (local.get $p) (i32.const 8)) (local.get $plane))
                  (then
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
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 7 (local.get $va)))))
                      )))
                  (else
                    ;; the last partial vector of the plane: through the bounce buffer, value by value
                    (v128.store (local.get $bounce) (local.get $va))
                    (local.set $t (i32.const 0))
                    (block $tdone2
                      (loop $tloop2
                        (br_if $tdone2 (i32.ge_s (i32.add (local.get $p) (local.get $t)) (local.get $plane)))
                        (local.set $tv (i32.load8_u (i32.add (local.get $bounce) (local.get $t))))
                        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
                        (i32.store8 (i32.add (local.get $op) (local.get $t)) (local.get $tv))
                        (local.set $t (i32.add (local.get $t) (i32.const 1)))
                        (br $tloop2)))))
              ))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 3)) (local.get $m))
              (then
                (local.set $sgn (i32x4.shr_s (local.get $a30) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a30)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv3)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv3))))
                (local.set $va (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv3)) (local.get $r3)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $sgn (i32x4.shr_s (local.get $a31) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $a31)))
                ;; high words H of |acc|·m; (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32) for r ≥ 33
                (local.set $e0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv3)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv3))))
                (local.set $vb (i32x4.add (local.get $zpv) (i32x4.min_s (local.get $hi32) (i32x4.max_s (local.get $lo32)
                  (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (local.get $e0) (local.get $hv3)) (local.get $r3)) (local.get $sgn)) (local.get $sgn))))))
                (local.set $va (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $va) (local.get $vb)) (local.get $va)))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 3)) (local.get $plane)) (local.get $p))))
                (if (i32.le_s (i32.add (local.get $p) (i32.const 8)) (local.get $plane))
                  (then
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
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 7 (local.get $va)))))
                      )))
                  (else
                    ;; the last partial vector of the plane: through the bounce buffer, value by value
                    (v128.store (local.get $bounce) (local.get $va))
                    (local.set $t (i32.const 0))
                    (block $tdone3
                      (loop $tloop3
                        (br_if $tdone3 (i32.ge_s (i32.add (local.get $p) (local.get $t)) (local.get $plane)))
                        (local.set $tv (i32.load8_u (i32.add (local.get $bounce) (local.get $t))))
                        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
                        (i32.store8 (i32.add (local.get $op) (local.get $t)) (local.get $tv))
                        (local.set $t (i32.add (local.get $t) (i32.const 1)))
                        (br $tloop3)))))
              ))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $ploop)))
        (local.set $hb (i32.add (local.get $hb) (i32.const 1)))
        (br $hloop))))
)
