;; 1x1 convolution (stride 1, no padding, one group) of uint8 NCHW codes straight to requantized
;; uint8 NCHW codes, hand-written WebAssembly SIMD (the per-output-channel blocks are written out:
;; V8 does not inline calls). One call is one thread's whole job for pixels [p0, p1) (multiples of
;; 8, or p1 = p8) and output channels [4·hb0, min(m, 4·hb1)): it packs its pixels, accumulates,
;; requantizes and stores, so a layer needs a single fork/join (small planes: split by channels).
;;
;; Each tile of 8 pixels is packed just before use into this thread's buffer $xp, [ncp][8][2] int16:
;; x − zx for channels (2k, 2k+1) of the 8 pixels (a missing odd channel and pixels past the plane
;; are 0), ncp · 32 bytes (≤ 8 KiB for 512 channels) that stay in L1 while every output-channel
;; block reads them. (Packing the whole plane first, [ncp][p8][2], wrote and re-read twice the
;; input through L2/L3 into fresh arena memory each layer, and re-read it at a stride of p8 · 4
;; bytes for every 4 output channels.)
;; Weights: the 'pairs' layout of pack.ts (blocks of 8 output channels, one tap, [pair][2 x v128]);
;; here 4 output channels at a time (half a block: 4 lanes of (w[o][2k], w[o][2k+1])).
;; i32x4.dot_i16x8_s of a pixel-pair vector (4 pixels x one channel pair) with a splatted weight pair
;; adds 8 multiply-accumulates into 4 pixels of one output channel, so the accumulators are already
;; NCHW: 4 output channels x 8 pixels in 8 v128.
;;
;; Requantization on the registers, round half away from zero like fixed-point.ts requantize, per
;; output channel in one of two forms, chosen by conv1x1.ts from record $rf (32 bytes per channel:
;; float64 M = m·2^−r, float64 1.5·2^52 + zp, int32 flag), r = 31 + shift:
;;   float64 (flag 1: requant.ts f64RequantExact: no exact ties are possible and every |acc|·m of
;;     the layer is below 2^53): acc·M is exact, and adding 1.5·2^52 + zp rounds it to the nearest
;;     integer (ties to even, but there are no ties) plus the zero point, held in the low word of
;;     the sum (as dw-3x3.wat modes 2–3): ~8 vector operations per 4 outputs instead of ~14;
;;   integer (flag 0), for r in [33, 62] (checked by the caller), from the high words H of the exact
;;     unsigned 64-bit products |acc|·m: (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32),
;;     exact because the low word L < 2^32 cannot carry across a multiple of 2^r; then the sign.
;;     $rq holds per output channel 16 bytes [m, 2^(r−33), r − 32, 0]; the zero point is added
;;     after the narrow.
;; Then a saturating narrow to int16 (|values| beyond int16 are clamped anyway), the clamp on int16
;; lanes ($k16: three i16x8 [zp], [qmin], [qmax]), the narrow to uint8, and the optional 256-entry
;; table ($lut): its address added to the codes on int32 lanes, two byte addresses per 64-bit lane in
;; a general register (as dw-3x3.wat; ~8% faster than shifting the codes out of one 64-bit lane on
;; the 16→32-channel YOLOX layers); stored as uint8 at out + oc * plane + p (pixels past the plane
;; are not stored).
(module
  (memory (import "env" "memory") 1 32768 shared)

  ;; the last partial vector of a plane: n < 8 bytes from $src (through $lut when non-zero) to $dst
  (func $tail (param $dst i32) (param $src i32) (param $lut i32) (param $n i32)
    (local $t i32) (local $tv i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $t) (local.get $n)))
        (local.set $tv (i32.load8_u (i32.add (local.get $src) (local.get $t))))
        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
        (i32.store8 (i32.add (local.get $dst) (local.get $t)) (local.get $tv))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next))))

  ;; packs a partial tile: n < 8 pixels from $src (channel 0 of the tile's first pixel), zeros after
  (func $pack_tail (param $dst i32) (param $src i32) (param $c i32) (param $ncp i32) (param $plane i32) (param $n i32) (param $zx i32)
    (local $k i32) (local $t i32) (local $q i32) (local $o i32)
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_s (local.get $k) (local.get $ncp)))
        (local.set $t (i32.const 0))
        (block $tdone
          (loop $tloop
            (br_if $tdone (i32.ge_s (local.get $t) (i32.const 8)))
            (local.set $o (i32.add (local.get $dst) (i32.add (i32.shl (local.get $k) (i32.const 5)) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $q (i32.add (i32.add (local.get $src) (local.get $t)) (i32.mul (i32.shl (local.get $k) (i32.const 1)) (local.get $plane))))
            (i32.store (local.get $o) (i32.const 0))
            (if (i32.lt_s (local.get $t) (local.get $n))
              (then
                (i32.store16 (local.get $o) (i32.sub (i32.load8_u (local.get $q)) (local.get $zx)))
                (if (i32.lt_s (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1)) (local.get $c))
                  (then (i32.store16 offset=2 (local.get $o) (i32.sub (i32.load8_u (i32.add (local.get $q) (local.get $plane))) (local.get $zx)))))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tloop)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop))))

  (func (export "conv1x1_job")
    (param $src i32) (param $xp i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $rq i32) (param $lut i32) (param $bounce i32)
    (param $c i32) (param $ncp i32) (param $plane i32) (param $m i32)
    (param $zx i32) (param $k16 i32) (param $p0 i32) (param $p1 i32) (param $hb0 i32) (param $hb1 i32) (param $rf i32)
    (local $k i32) (local $p i32) (local $pe i32) (local $hb i32) (local $oc i32) (local $xq i32) (local $wq i32) (local $op i32)
    (local $ts i32) (local $rqp i32) (local $rfp i32) (local $bp i32) (local $full i32) (local $r i32) (local $g i64)
    (local $zv v128) (local $va v128) (local $vb v128) (local $xa v128) (local $xb v128) (local $wv v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $mv v128) (local $hv v128) (local $sgn v128) (local $abs v128) (local $t16 v128) (local $lv v128)
    (local.set $zv (i16x8.splat (local.get $zx)))
    (local.set $lv (i32x4.splat (local.get $lut)))
    ;; $ts: bytes per tile
    (local.set $ts (i32.shl (local.get $ncp) (i32.const 5)))
    ;; tiles of 8 pixels; in each, output channels 4 at a time over the tile's whole reduction
    (local.set $p (local.get $p0))
    (block $pdone
      (loop $ploop
        (br_if $pdone (i32.ge_s (local.get $p) (local.get $p1)))
        (local.set $full (i32.le_s (i32.add (local.get $p) (i32.const 8)) (local.get $plane)))
        ;; pack the tile: [ncp][8 pixels][2] int16 x − zx at $xp (this thread's buffer, stays in L1)
        (local.set $xq (i32.add (local.get $src) (local.get $p)))
        (local.set $op (local.get $xp))
        (if (local.get $full)
          (then
            (local.set $k (i32.shr_u (local.get $c) (i32.const 1)))
            (block $fdone
              (loop $floop
                (br_if $fdone (i32.eqz (local.get $k)))
                (local.set $va (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (local.get $xq))) (local.get $zv)))
                (local.set $vb (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $xq) (local.get $plane)))) (local.get $zv)))
                (v128.store (local.get $op) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $va) (local.get $vb)))
                (v128.store offset=16 (local.get $op) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $va) (local.get $vb)))
                (local.set $xq (i32.add (local.get $xq) (i32.shl (local.get $plane) (i32.const 1))))
                (local.set $op (i32.add (local.get $op) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $floop)))
            (if (i32.and (local.get $c) (i32.const 1))
              (then
                (local.set $va (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (local.get $xq))) (local.get $zv)))
                (v128.store (local.get $op) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $va) (v128.const i32x4 0 0 0 0)))
                (v128.store offset=16 (local.get $op) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $va) (v128.const i32x4 0 0 0 0))))))
          (else
            ;; the plane's last partial tile (and pixels past it: zero), value by value
            (call $pack_tail (local.get $xp) (local.get $xq) (local.get $c) (local.get $ncp) (local.get $plane) (i32.sub (local.get $plane) (local.get $p)) (local.get $zx))))
        (local.set $hb (local.get $hb0))
        (local.set $rqp (i32.add (local.get $rq) (i32.shl (local.get $hb0) (i32.const 6))))
        (local.set $bp (i32.add (local.get $bias) (i32.shl (local.get $hb0) (i32.const 4))))
        (local.set $rfp (i32.add (local.get $rf) (i32.shl (local.get $hb0) (i32.const 7))))
        (block $hdone
          (loop $hloop
            (local.set $oc (i32.shl (local.get $hb) (i32.const 2)))
            (br_if $hdone (i32.ge_s (local.get $hb) (local.get $hb1)))
            (local.set $a00 (v128.load32_splat offset=0 (local.get $bp)))
            (local.set $a01 (local.get $a00))
            (local.set $a10 (v128.load32_splat offset=4 (local.get $bp)))
            (local.set $a11 (local.get $a10))
            (local.set $a20 (v128.load32_splat offset=8 (local.get $bp)))
            (local.set $a21 (local.get $a20))
            (local.set $a30 (v128.load32_splat offset=12 (local.get $bp)))
            (local.set $a31 (local.get $a30))
            (local.set $xq (local.get $xp))
            ;; weights of output channels oc..oc+3: block hb >> 1, half hb & 1
            (local.set $wq (i32.add (local.get $w) (i32.add (i32.mul (i32.shr_u (local.get $hb) (i32.const 1)) (local.get $ts))
              (i32.shl (i32.and (local.get $hb) (i32.const 1)) (i32.const 4)))))
            (local.set $k (local.get $ncp))
            (loop $cloop
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
              (local.set $xq (i32.add (local.get $xq) (i32.const 32)))
              (local.set $wq (i32.add (local.get $wq) (i32.const 32)))
              (br_if $cloop (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 0)) (local.get $m))
              (then
                (if (i32.load offset=16 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=0 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=8 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a00))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a00) (local.get $a00)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a01))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a01) (local.get $a01)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=0 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=4 (local.get $rqp)))
                    (local.set $r (i32.load offset=8 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a00) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a00)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a01) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a01)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 0)) (local.get $plane)) (local.get $p))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $plane) (local.get $p)))))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 1)) (local.get $m))
              (then
                (if (i32.load offset=48 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=32 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=40 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a10))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a10) (local.get $a10)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a11))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a11) (local.get $a11)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=16 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=20 (local.get $rqp)))
                    (local.set $r (i32.load offset=24 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a10) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a10)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a11) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a11)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 1)) (local.get $plane)) (local.get $p))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $plane) (local.get $p)))))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 2)) (local.get $m))
              (then
                (if (i32.load offset=80 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=64 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=72 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a20))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a20) (local.get $a20)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a21))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a21) (local.get $a21)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=32 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=36 (local.get $rqp)))
                    (local.set $r (i32.load offset=40 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a20) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a20)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a21) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a21)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 2)) (local.get $plane)) (local.get $p))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $plane) (local.get $p)))))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 3)) (local.get $m))
              (then
                (if (i32.load offset=112 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=96 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=104 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a30))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a30) (local.get $a30)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a31))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a31) (local.get $a31)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=48 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=52 (local.get $rqp)))
                    (local.set $r (i32.load offset=56 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a30) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a30)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a31) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a31)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $out) (i32.add (i32.mul (i32.add (local.get $oc) (i32.const 3)) (local.get $plane)) (local.get $p))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $plane) (local.get $p)))))))
            (local.set $rqp (i32.add (local.get $rqp) (i32.const 64)))
            (local.set $rfp (i32.add (local.get $rfp) (i32.const 128)))
            (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
            (local.set $hb (i32.add (local.get $hb) (i32.const 1)))
            (br $hloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $ploop))))
)
